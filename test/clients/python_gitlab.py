"""python-gitlab (Debian's python3-gitlab), unchanged, against a running gateway.

Usage: python3 python_gitlab.py <url> <tokens as JSON>. Prints one JSON object: what each call
returned (ids, dicts) or raised (exception class, status, GitLab's message), for the test to compare.
"""
import json
import sys
import warnings

import gitlab

warnings.simplefilter("ignore")
url, tokens = sys.argv[1], json.loads(sys.argv[2])
out = {"version": gitlab.__version__}


def ids(items):
    return [item.id if hasattr(item, "id") else item["id"] for item in items]


def failure(call):
    try:
        call()
    except gitlab.exceptions.GitlabError as error:
        return [type(error).__name__, error.response_code, error.error_message]
    return None


dev = gitlab.Gitlab(url, private_token=tokens["dev"])
project = dev.projects.get(40, lazy=True)
by_path = dev.projects.get("acme/platform/api", lazy=True)

out["list_all"] = ids(project.packages.list(get_all=True, per_page=3))
out["list_by_path"] = ids(by_path.packages.list(get_all=True, per_page=2))
out["list_filtered"] = ids(
    project.packages.list(get_all=True, per_page=1, package_type="npm", order_by="name", sort="desc")
)
out["list_versionless"] = ids(project.packages.list(get_all=True, package_name="notes", include_versionless=True))
out["list_first_page"] = ids(project.packages.list(page=2, per_page=3))

anonymous = gitlab.Gitlab(url)
pub = anonymous.groups.get("pub", lazy=True)
out["group_with_subgroups"] = ids(pub.packages.list(get_all=True, per_page=1))
out["group_without_subgroups"] = ids(pub.packages.list(get_all=True, per_page=1, exclude_subgroups=True))
owner = gitlab.Gitlab(url, private_token=tokens["owner"])
acme = owner.groups.get(22, lazy=True)
out["group_project_paths"] = [
    [p.id, p.project_path] for p in acme.packages.list(get_all=True, per_page=4, order_by="project_path")
]

package = project.packages.get(1001)
out["show"] = package.asdict()
out["files"] = [f.asdict() for f in package.package_files.list(get_all=True, per_page=1)]
out["pipelines"] = ids(dev.http_list("/projects/40/packages/1001/pipelines", per_page=1, get_all=True))
out["pipelines_by_path"] = ids(dev.http_list("/projects/acme%2Fplatform%2Fapi/packages/1001/pipelines", get_all=True))

maint = gitlab.Gitlab(url, private_token=tokens["maint"])
maint_project = maint.projects.get(40, lazy=True)
maint_project.packages.get(1001, lazy=True).package_files.delete(10012)
out["files_after_delete"] = ids(maint_project.packages.get(1001, lazy=True).package_files.list(get_all=True))
maint_project.packages.delete(1011)
out["get_deleted"] = failure(lambda: maint_project.packages.get(1011))
out["delete_again"] = failure(lambda: maint_project.packages.delete(1011))
out["delete_protected"] = failure(lambda: maint_project.packages.delete(1012))

out["anonymous_public"] = ids(anonymous.projects.get("pub/lib", lazy=True).packages.list(get_all=True))
out["anonymous_private"] = failure(lambda: anonymous.projects.get(40, lazy=True).packages.list(get_all=True))
out["anonymous_delete"] = failure(lambda: anonymous.projects.get(30, lazy=True).packages.delete(3001))
invalid = gitlab.Gitlab(url, private_token=tokens["revoked"])
out["invalid_token"] = failure(lambda: invalid.projects.get(30, lazy=True).packages.list(get_all=True))
out["bad_parameter"] = failure(lambda: project.packages.list(get_all=True, order_by="nope"))

print(json.dumps(out))
