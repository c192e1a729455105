"""Error reports (DEBUG pages, admin emails) that never show a credential.

Django hides settings whose names look secret; this filter also hides such POST fields and
such local variables in every frame, whatever the view did or did not decorate.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

_SENSITIVE = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|ENCRYPT|CIPHER|PLAIN",
    flags=re.IGNORECASE,
)


class CredentialSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = _SENSITIVE

    def is_active(self, request):
        # Cleanse in DEBUG too: the development pages are screenshots and pasted logs.
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for name in cleansed:
            if _SENSITIVE.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.cleanse_setting(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
