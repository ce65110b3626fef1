// The registry URLs a package's detail page shows for installing it: GitLab's formulas, all in one
// place. They follow app/helpers/packages_helper.rb (gitlab-org/gitlab), as called by
// app/graphql/types/packages/package_details_type.rb (npmUrl, mavenUrl, conanUrl, nugetUrl, pypiUrl,
// pypiSetupUrl, composerUrl, composerConfigRepositoryUrl).
//
// GitLab's `expose_url(path)` is the instance URL (`Gitlab.config.gitlab.url`, relative root
// included) followed by the path; here the instance URL is `baseUrl` (PUBLIC_URL, or the request's
// scheme and host), without a trailing slash.
import type { Visibility } from '../generated/prisma/enums.ts';

/** What the formulas read of a project. */
export interface InstallUrlProject {
  id: number;
  visibility: Visibility;
}

/** The package registry types whose project-level endpoint `packageRegistryProjectUrl` builds. */
export type ProjectRegistryType = 'maven' | 'npm' | 'conan' | 'pypi';

/**
 * GitLab's `project.project_feature.public_packages?`: whether anyone may pull the project's packages.
 * Here that is a public project (the gateway does not model a public package registry in a
 * non-public project).
 */
export function hasPublicPackages(project: Pick<InstallUrlProject, 'visibility'>): boolean {
  return project.visibility === 'public';
}

/**
 * GitLab's `package_registry_project_url(project_id, registry_type)` (packages_helper.rb):
 * `expose_url("/api/v4/projects/:id/packages/:registry_type")`.
 */
export function packageRegistryProjectUrl(baseUrl: string, projectId: number, registryType: ProjectRegistryType): string {
  return `${baseUrl}/api/v4/projects/${projectId}/packages/${registryType}`;
}

/**
 * GitLab's `nuget_package_registry_url(project_id)` (packages_helper.rb):
 * `expose_url(api_v4_projects_packages_nuget_index_path(id: project_id, format: '.json'))`, the NuGet
 * v3 service index `/api/v4/projects/:id/packages/nuget/index.json`.
 */
export function nugetPackageRegistryUrl(baseUrl: string, projectId: number): string {
  return `${baseUrl}/api/v4/projects/${projectId}/packages/nuget/index.json`;
}

/**
 * GitLab's `pypi_registry_url(project)` (packages_helper.rb): the PyPI simple index
 * `/api/v4/projects/:id/packages/pypi/simple`; unless the project's packages are public, with
 * `__token__:<your_personal_token>@` after the scheme (`full_url.sub!('://', '://__token__:…@')`).
 */
export function pypiRegistryUrl(baseUrl: string, project: InstallUrlProject): string {
  const url = `${baseUrl}/api/v4/projects/${project.id}/packages/pypi/simple`;
  return hasPublicPackages(project) ? url : url.replace('://', '://__token__:<your_personal_token>@');
}

/**
 * GitLab's `composer_registry_url(group_id)` (packages_helper.rb):
 * `expose_url(api_v4_group___packages_composer_packages_path(id: group_id, format: '.json'))`, the
 * group's Composer index `/api/v4/group/:id/-/packages/composer/packages.json`. Null for a project
 * outside a group (GitLab would build the URL with an empty group id; Composer is group-level).
 */
export function composerRegistryUrl(baseUrl: string, groupId: number | null): string | null {
  return groupId === null ? null : `${baseUrl}/api/v4/group/${groupId}/-/packages/composer/packages.json`;
}

/**
 * GitLab's `composer_config_repository_name(group_id)` (packages_helper.rb):
 * `"#{Gitlab.config.gitlab.host}/#{group_id}"`, the instance's host name (no scheme, no port) and the
 * group id, used as the repository key in `composer config repositories.<name>`. Null for a project
 * outside a group (as `composerRegistryUrl`).
 */
export function composerConfigRepositoryName(baseUrl: string, groupId: number | null): string | null {
  return groupId === null ? null : `${new URL(baseUrl).hostname}/${groupId}`;
}

/** Every install URL of `PackageDetailsType`, by GraphQL field name. */
export interface InstallUrls {
  npmUrl: string;
  mavenUrl: string;
  conanUrl: string;
  nugetUrl: string;
  pypiUrl: string;
  pypiSetupUrl: string;
  composerUrl: string | null;
  composerConfigRepositoryUrl: string | null;
}

/**
 * The URL fields of GitLab's `PackageDetailsType` (app/graphql/types/packages/package_details_type.rb)
 * for a package of `project`, whose group (the project's namespace when it is a group) is `groupId`:
 * npm, maven, conan and pypiSetup are `package_registry_project_url(project.id, type)`, nuget is
 * `nuget_package_registry_url`, pypi is `pypi_registry_url(project)`, composer and
 * composerConfigRepository use `project.group&.id`.
 */
export function installUrls(baseUrl: string, project: InstallUrlProject, groupId: number | null): InstallUrls {
  return {
    npmUrl: packageRegistryProjectUrl(baseUrl, project.id, 'npm'),
    mavenUrl: packageRegistryProjectUrl(baseUrl, project.id, 'maven'),
    conanUrl: packageRegistryProjectUrl(baseUrl, project.id, 'conan'),
    nugetUrl: nugetPackageRegistryUrl(baseUrl, project.id),
    pypiUrl: pypiRegistryUrl(baseUrl, project),
    pypiSetupUrl: packageRegistryProjectUrl(baseUrl, project.id, 'pypi'),
    composerUrl: composerRegistryUrl(baseUrl, groupId),
    composerConfigRepositoryUrl: composerConfigRepositoryName(baseUrl, groupId),
  };
}
