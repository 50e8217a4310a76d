"""Static files for production and the demo's server: content-hashed names, gzip and Brotli
copies, and a manifest that tolerates a template naming a file that was not collected (it is
served unhashed)."""

from pathlib import Path

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedStaticFiles(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        """Before the first collection (a management command, a check): the plain name."""
        try:
            return super().stored_name(name)
        except ValueError:
            return name


def static_files_changed() -> bool:
    """Whether a source static file is newer than the last collection (an upgrade)."""
    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    collected_at = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=None):
            if Path(storage.path(path)).stat().st_mtime > collected_at:
                return True
    return False
