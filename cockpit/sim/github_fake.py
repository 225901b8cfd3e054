"""A loopback fake of the GitHub REST issues API, for PyGithub (`github.Github`).

Routes: GET /repos/{o}/{r}, POST/GET /repos/{o}/{r}/issues, GET/PATCH .../issues/{n},
POST/GET .../issues/{n}/comments, with GitHub's JSON shapes (the fields PyGithub reads)
and its `{"message": ..., "documentation_url": ...}` errors.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from cockpit.sim.httpfake import ApiError, FakeServer, Reply, Request

_REPO = re.compile(r"/repos/(?P<o>[^/]+)/(?P<r>[^/]+)(?P<rest>/.*)?")
_ISSUE = re.compile(r"/issues/(?P<n>\d+)(?P<comments>/comments)?")
STAMP = "2026-01-01T00:00:00Z"


@dataclass(slots=True)
class Issue:
    """One issue of the fake repository."""

    number: int
    title: str
    body: str
    labels: list[str]
    state: str = "open"
    state_reason: str | None = None
    comments: list[str] = field(default_factory=list)


class GitHubFake(FakeServer):
    """Issues of one repository (`owner/name`); the client's base URL is `url`."""

    def __init__(self, *, repository: str = "acme/incidents", port: int = 0,
                 token: str = "ghp-fake-cockpit-token") -> None:  # noqa: S107  # fmt: skip
        super().__init__(port=port)
        self.repository = repository
        self.token = token
        self.issues: dict[int, Issue] = {}

    def authorize(self, request: Request) -> None:
        """`Authorization: token X` or `Bearer X`, as GitHub takes them."""
        given = request.headers.get("authorization", "").encode()
        good = (f"token {self.token}".encode(), f"Bearer {self.token}".encode())
        if not any(hmac.compare_digest(given, g) for g in good):
            raise ApiError(401, "Bad credentials")

    def error_reply(self, error: ApiError, request: Request) -> Reply:
        """GitHub's error shape."""
        body = {"message": error.message or "error",
                "documentation_url": "https://docs.github.com/rest"}  # fmt: skip
        return Reply.json(error.status, body, error.headers)

    def route(self, request: Request) -> Reply:
        """Dispatch on the path under /repos/{owner}/{repo}."""
        match = _REPO.fullmatch(request.path.rstrip("/"))
        if match is None or f"{match['o']}/{match['r']}" != self.repository:
            raise ApiError(404, "Not Found")
        rest = match["rest"] or ""
        with self._lock:
            if rest == "":
                return Reply.json(200, self._repo_json())
            if rest == "/issues":
                if request.method == "POST":
                    return Reply.json(201, self._issue_json(self._open(request.json())))
                return Reply.json(200, [self._issue_json(i) for i in self.issues.values()])
            found = _ISSUE.fullmatch(rest)
            if found is None:
                raise ApiError(404, "Not Found")
            issue = self.issues.get(int(found["n"]))
            if issue is None:
                raise ApiError(404, "Not Found")
            if found["comments"]:
                if request.method == "POST":
                    return Reply.json(201, self._comment(issue, request.json()))
                return Reply.json(200, [self._comment_json(issue, i, c)
                                        for i, c in enumerate(issue.comments, 1)])  # fmt: skip
            if request.method == "PATCH":
                self._edit(issue, request.json())
            return Reply.json(200, self._issue_json(issue))

    def _open(self, body: Any) -> Issue:
        if not isinstance(body, dict) or not str(body.get("title") or "").strip():
            raise ApiError(422, "Validation Failed: title is missing")
        labels = [str(x) for x in body.get("labels") or []]
        issue = Issue(len(self.issues) + 1, str(body["title"]), str(body.get("body") or ""), labels)
        self.issues[issue.number] = issue
        return issue

    def _comment(self, issue: Issue, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not str(body.get("body") or ""):
            raise ApiError(422, "Validation Failed: body is missing")
        issue.comments.append(str(body["body"]))
        return self._comment_json(issue, len(issue.comments), issue.comments[-1])

    def _edit(self, issue: Issue, body: Any) -> None:
        if not isinstance(body, dict):
            raise ApiError(422, "Validation Failed")
        if body.get("state") in ("open", "closed"):
            issue.state = str(body["state"])
            issue.state_reason = body.get("state_reason")
        if "title" in body:
            issue.title = str(body["title"])

    def _repo_json(self) -> dict[str, Any]:
        owner, name = self.repository.split("/")
        return {"id": 1, "name": name, "full_name": self.repository,
                "owner": {"login": owner, "id": 1, "type": "Organization"},
                "url": f"{self.url}/repos/{self.repository}",
                "html_url": f"{self.url}/{self.repository}"}  # fmt: skip

    def _issue_json(self, issue: Issue) -> dict[str, Any]:
        api = f"{self.url}/repos/{self.repository}/issues/{issue.number}"
        return {
            "id": 1000 + issue.number, "number": issue.number, "title": issue.title,
            "body": issue.body, "state": issue.state, "state_reason": issue.state_reason,
            "labels": [{"name": n, "color": "ededed"} for n in issue.labels],
            "comments": len(issue.comments), "url": api,
            "comments_url": api + "/comments",
            "html_url": f"{self.url}/{self.repository}/issues/{issue.number}",
            "user": {"login": "cockpit-bot", "id": 2}, "created_at": STAMP,
            "updated_at": STAMP, "closed_at": STAMP if issue.state == "closed" else None,
        }  # fmt: skip

    def _comment_json(self, issue: Issue, index: int, body: str) -> dict[str, Any]:
        api = f"{self.url}/repos/{self.repository}/issues/comments/{issue.number * 1000 + index}"
        return {"id": issue.number * 1000 + index, "body": body, "url": api,
                "html_url": f"{self.url}/{self.repository}/issues/{issue.number}",
                "user": {"login": "cockpit-bot", "id": 2}, "created_at": STAMP,
                "updated_at": STAMP}  # fmt: skip
