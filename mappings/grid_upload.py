"""A correspondence CSV uploaded in the admin: the file's text, or the same text posted back by
the dry run's page to apply it (checked again then, all or nothing)."""

from django.utils.translation import gettext as _

# Under Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the dry run's page posts the text back.
MAX_UPLOAD_BYTES = 2 * 2**20


def uploaded_csv_text(request) -> tuple[str, list[str]]:
    """(text, errors) of the upload (`file`) or of the posted-back text (`text`)."""
    upload = request.FILES.get("file")
    if upload is None:
        text = request.POST.get("text", "")
        if not text.strip():
            return "", [_("Choose a CSV file: the grid's export, with the codes filled in.")]
        return text, []
    if upload.size > MAX_UPLOAD_BYTES:
        return "", [_("The file is %(size)d MiB: at most %(max)d MiB can be imported here; "
                      "use the import_correspondences command for larger files.")
                    % {"size": upload.size >> 20, "max": MAX_UPLOAD_BYTES >> 20}]
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return "", [_("The file is not UTF-8 text: in Excel, save it as “CSV UTF-8 "
                      "(comma delimited)”, then import it again.")]
    return text.removeprefix("\ufeff"), []
