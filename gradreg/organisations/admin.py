from django.contrib import admin

from .models import Department, Employer, Major, Province, School

admin.site.register(Province)
admin.site.register(Department)
admin.site.register(Major)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "review_label"]


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "credit_code_needs_review", "approved"]
    list_filter = ["credit_code_needs_review", "approved"]
    search_fields = ["name", "credit_code"]
