from django import forms
from django.contrib import admin

from .models import (
    CHECKSUM_UNCONFIRMED,
    Department,
    Employer,
    EmployerWarning,
    Major,
    Province,
    School,
    check_credit_code,
)

admin.site.register(Province)
admin.site.register(Department)
admin.site.register(Major)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "review_label"]


class EmployerForm(forms.ModelForm):
    credit_code_confirmed = forms.BooleanField(
        label="确认代码无误", required=False,
        help_text="代码未通过校验位检查、但与营业执照逐位一致时（早期试点代码）勾选；保存后标记为待人工核验。",
    )

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
        if needs_review and code != self.initial.get("credit_code") and not data.get("credit_code_confirmed"):
            self.add_error("credit_code", CHECKSUM_UNCONFIRMED.format(code=code))
            return data
        data["credit_code"] = code
        # the flag follows the code: an operator clears it only by correcting or confirming the code
        data["credit_code_needs_review"] = needs_review or data.get("credit_code_needs_review", False)
        self.instance.credit_code = code
        return data


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    form = EmployerForm
    list_display = ["name", "credit_code", "credit_code_needs_review", "review_status", "registered_at"]
    list_filter = ["credit_code_needs_review", "review_status"]
    search_fields = ["name", "credit_code"]
    # The review itself happens on the review pages (通过/不通过 are audited and notify the employer).
    readonly_fields = [
        "review_status", "review_note", "reviewed_at", "reviewed_by", "registered_at", "licence", "licence_content_type",
    ]


@admin.register(EmployerWarning)
class EmployerWarningAdmin(admin.ModelAdmin):
    list_display = ["employer", "school", "category", "created_by", "created_at", "revoked_at"]
    list_filter = ["category", "school"]
    search_fields = ["employer__name", "employer__credit_code"]
    autocomplete_fields = ["employer"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
