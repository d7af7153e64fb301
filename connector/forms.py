from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportMapping


class ImportUploadForm(forms.Form):
    mapping = forms.ModelChoiceField(
        label=_("导入对照"),
        queryset=ImportMapping.objects.filter(is_active=True),
        empty_label=None,
        help_text=_("平台导出文件的列名和代码如何对应（管理后台 平台对接 → 导入对照）"),
    )
    file = forms.FileField(
        label=_("平台导出文件"),
        help_text=_("Excel（.xlsx）或 CSV（UTF-8 或 GBK）"),
        error_messages={"required": _("请选择要上传的文件。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    received_at_confirmed = forms.BooleanField(
        label=_("确认受理时间无误"), required=False, help_text=_("勾选后，受理时间早于 30 天前的工单也照常导入")
    )
