"""Static files for production: content-hashed names, gzip and Brotli copies, and a manifest
that tolerates a template naming a file that was not collected (it is served unhashed)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedStaticFiles(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        """Before the first collection (a management command, a check): the plain name."""
        try:
            return super().stored_name(name)
        except ValueError:
            return name
