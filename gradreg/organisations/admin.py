from django import forms
from django.contrib import admin

from .models import Department, Employer, Major, Province, School, check_credit_code

admin.site.register(Province)
admin.site.register(Department)
admin.site.register(Major)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "review_label"]


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Employer
        fields = "__all__"

    def clean(self):
        data = super().clean()
        raw = data.get("credit_code") or self.data.get("credit_code", "")
        try:
            code, needs_review = check_credit_code(raw)
        except ValueError as e:
            self.add_error("credit_code", str(e))
            return data
        data["credit_code"] = code
        # the flag follows the code: an operator clears it only by correcting or confirming the code
        data["credit_code_needs_review"] = needs_review or data.get("credit_code_needs_review", False)
        self.instance.credit_code = code
        return data


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    form = EmployerForm
    list_display = ["name", "credit_code", "credit_code_needs_review", "approved"]
    list_filter = ["credit_code_needs_review", "approved"]
    search_fields = ["name", "credit_code"]
