from django.contrib import admin

from .loader import clear_cache
from .models import CodeEntry, Region


@admin.register(CodeEntry)
class CodeEntryAdmin(admin.ModelAdmin):
    list_display = ["table", "code", "name", "parent", "active"]
    list_filter = ["table", "active"]
    search_fields = ["code", "name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "province", "name", "valid_from", "valid_to"]
    search_fields = ["code", "name", "province"]


def _clear(*args, **kwargs):
    clear_cache()


# an operator's edit takes effect at once in this process (others within a minute)
CodeEntryAdmin.save_model = lambda self, request, obj, form, change: (obj.save(), _clear())  # type: ignore[method-assign]
