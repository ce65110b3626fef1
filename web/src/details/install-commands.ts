// The installation commands GitLab's package details page shows for each type (its
// components/details/*_installation.vue), from the URLs the API gives (`npmUrl`, `mavenUrl`, ...).
// Generic packages, which GitLab gives no command, get a curl download of their first file.

export interface InstallCommand {
  /** The label GitLab puts above the command. */
  label: string;
  command: string;
}

export interface InstallSection {
  title: 'Installation' | 'Registry setup';
  commands: InstallCommand[];
}

export interface InstallablePackage {
  name: string;
  version?: string | null;
  packageType: string;
  npmUrl?: string | null;
  mavenUrl?: string | null;
  pypiUrl?: string | null;
  pypiSetupUrl?: string | null;
  nugetUrl?: string | null;
  conanUrl?: string | null;
  composerUrl?: string | null;
  composerConfigRepositoryUrl?: string | null;
  metadata?: { __typename?: string; appGroup?: string; appName?: string; appVersion?: string | null } | null;
  packageFiles?: { nodes: { downloadPath: string }[] } | null;
}

/** The sections of commands for a package, empty when GitLab shows none and there is no file to fetch. */
export function installSections(pkg: InstallablePackage, origin: string): InstallSection[] {
  const install = (commands: InstallCommand[], setup: InstallCommand[] = []): InstallSection[] => [
    { title: 'Installation', commands },
    ...(setup.length ? [{ title: 'Registry setup' as const, commands: setup }] : []),
  ];
  switch (pkg.packageType) {
    case 'NPM': {
      const scope = pkg.name.substring(0, pkg.name.indexOf('/'));
      return install(
        [{ label: 'npm command', command: `npm i ${pkg.name}` }, { label: 'Yarn command', command: `yarn add ${pkg.name}` }],
        [
          { label: 'npm setup', command: `echo ${scope}:registry=${pkg.npmUrl}/ >> .npmrc` },
          { label: 'Yarn setup', command: `echo \\"${scope}:registry\\" \\"${pkg.npmUrl}/\\" >> .yarnrc` },
        ],
      );
    }
    case 'MAVEN': {
      const m = pkg.metadata ?? {};
      const coordinates = `${m.appGroup}:${m.appName}:${m.appVersion}`;
      return install(
        [
          {
            label: 'Maven XML',
            command: `<dependency>\n  <groupId>${m.appGroup}</groupId>\n  <artifactId>${m.appName}</artifactId>\n  <version>${m.appVersion}</version>\n</dependency>`,
          },
          { label: 'Maven Command', command: `mvn dependency:get -Dartifact=${coordinates}` },
          { label: 'Gradle Groovy DSL install command', command: `implementation '${coordinates}'` },
          { label: 'Gradle Kotlin DSL install command', command: `implementation("${coordinates}")` },
        ],
        [
          {
            label: 'Maven registry XML (pom.xml)',
            command: `<repositories>\n  <repository>\n    <id>gitlab-maven</id>\n    <url>${pkg.mavenUrl}</url>\n  </repository>\n</repositories>\n\n<distributionManagement>\n  <repository>\n    <id>gitlab-maven</id>\n    <url>${pkg.mavenUrl}</url>\n  </repository>\n\n  <snapshotRepository>\n    <id>gitlab-maven</id>\n    <url>${pkg.mavenUrl}</url>\n  </snapshotRepository>\n</distributionManagement>`,
          },
          { label: 'Add Gradle Groovy DSL repository command', command: `maven {\n  url '${pkg.mavenUrl}'\n}` },
          { label: 'Add Gradle Kotlin DSL repository command', command: `maven("${pkg.mavenUrl}")` },
        ],
      );
    }
    case 'PYPI':
      return install(
        [{ label: 'Pip Command', command: `pip install ${pkg.name} --index-url ${pkg.pypiUrl}` }],
        [{ label: '.pypirc', command: `[gitlab]\nrepository = ${pkg.pypiSetupUrl}\nusername = __token__\npassword = <your personal access token>` }],
      );
    case 'NUGET':
      return install(
        [{ label: 'NuGet Command', command: `nuget install ${pkg.name} -Source "GitLab"` }],
        [{ label: 'Add NuGet Source', command: `nuget source Add -Name "GitLab" -Source "${pkg.nugetUrl}" -UserName <your_username> -Password <your_token>` }],
      );
    case 'CONAN':
      return install(
        [{ label: 'Conan Command', command: `conan install ${pkg.name} --remote=gitlab` }],
        [{ label: 'Add Conan Remote', command: `conan remote add gitlab ${pkg.conanUrl}` }],
      );
    case 'COMPOSER':
      // GitLab shows Composer commands only for a project in a group (its group-level registry).
      if (!pkg.composerUrl) return [];
      return install([
        {
          label: 'Add composer registry',
          command: `composer config repositories.${pkg.composerConfigRepositoryUrl} '{"type": "composer", "url": "${pkg.composerUrl}"}'`,
        },
        { label: 'Install package version', command: `composer req ${pkg.name}:${pkg.version}` },
      ]);
    case 'GENERIC': {
      const file = pkg.packageFiles?.nodes[0];
      if (!file) return [];
      return install([{ label: 'curl command', command: `curl --header "PRIVATE-TOKEN: <your_access_token>" -O ${origin}${file.downloadPath}` }]);
    }
    default:
      return [];
  }
}
