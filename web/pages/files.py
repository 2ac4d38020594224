"""An entry's files and previews for the pages: the same rule and the same bytes as
the API (``OpenInno.file_for``, web/files_http.py), with the session's account."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, route
from litestar.di import NamedDependency
from litestar.params import FromPath

from web.files_http import FILE_METHODS, file_response
from web.pages.base import Pages, Viewer


class FilePages(Controller):
    @route(
        "/submissions/{submission_id:uuid}/files/{sha256:str}",
        http_method=FILE_METHODS,
        sync_to_thread=True,
    )
    def download(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        sha256: FromPath[str],
    ) -> Response[Any]:
        served = pages.openinno.file_for(viewer.account_id, submission_id, sha256.lower())
        return file_response(request, served)

    @route(
        "/submissions/{submission_id:uuid}/files/{sha256:str}/preview",
        http_method=FILE_METHODS,
        sync_to_thread=True,
    )
    def preview(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        submission_id: FromPath[UUID],
        sha256: FromPath[str],
    ) -> Response[Any]:
        served = pages.openinno.preview_for(viewer.account_id, submission_id, sha256.lower())
        return file_response(request, served)

    @route(
        "/appeals/{appeal_id:uuid}/files/{sha256:str}",
        http_method=FILE_METHODS,
        sync_to_thread=True,
    )
    def evidence(
        self,
        request: Request[Any, Any, Any],
        pages: NamedDependency[Pages],
        viewer: NamedDependency[Viewer],
        appeal_id: FromPath[UUID],
        sha256: FromPath[str],
    ) -> Response[Any]:
        """An appeal's evidence file (issue 24): the rule is ``OpenInno.evidence_for``."""
        served = pages.openinno.evidence_for(viewer.account_id, appeal_id, sha256.lower())
        return file_response(request, served)
