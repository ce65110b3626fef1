// Group.packageSettings: GitLab's PackageSettings type (app/graphql/types/namespace/package_settings_type.rb,
// plus EE's auditEventsEnabled) over namespace_package_settings, with GitLab's defaults and cascading
// request-forwarding settings (src/domain/package-settings.ts). Like GitLab (`authorize :admin_package`
// on the type, delegated to the group), only the group's owners and administrators may read it;
// anyone else gets null.
import { canAdminGroupPackages } from '../domain/policy.ts';
import { resolvePackageSettings, type PackageSettingsView } from '../domain/package-settings.ts';
import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';
import { GroupRef } from './group.ts';

/** GitLab's UntrustedRegexp scalar: a regular expression, as text, that came from user input. */
export const UntrustedRegexpScalar = builder.scalarType('UntrustedRegexp', {
  description: 'A regexp containing patterns sourced from user input',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError(`${JSON.stringify(value)} is not a valid regex`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('UntrustedRegexp must be a string');
    return ast.value;
  },
});

export const PackageSettingsRef = builder.objectRef<PackageSettingsView>('PackageSettings');
PackageSettingsRef.implement({
  description: 'Namespace-level Package Registry settings',
  fields: (t) => {
    const flag = (name: keyof PackageSettingsView, description: string) =>
      t.boolean({ description, resolve: (settings) => settings[name] as boolean });
    const optionalFlag = (name: keyof PackageSettingsView, description: string) =>
      t.boolean({ nullable: true, description, resolve: (settings) => settings[name] as boolean | null });
    const regex = (name: keyof PackageSettingsView, registry: string) =>
      t.field({
        type: UntrustedRegexpScalar,
        nullable: true,
        description: `When ${registry}_duplicates_allowed is false, you can publish duplicate packages with names that match this regex. Otherwise, this setting has no effect.`,
        resolve: (settings) => settings[name] as string,
      });
    return {
      auditEventsEnabled: flag(
        'auditEventsEnabled',
        'Indicates whether audit events are created when publishing or deleting a package in the namespace (Premium and Ultimate only).',
      ),
      genericDuplicateExceptionRegex: regex('genericDuplicateExceptionRegex', 'generic'),
      genericDuplicatesAllowed: flag('genericDuplicatesAllowed', 'Indicates whether duplicate generic packages are allowed for this namespace.'),
      lockMavenPackageRequestsForwarding: flag(
        'lockMavenPackageRequestsForwarding',
        'Indicates whether Maven package forwarding is locked for all descendent namespaces.',
      ),
      lockNpmPackageRequestsForwarding: flag(
        'lockNpmPackageRequestsForwarding',
        'Indicates whether npm package forwarding is locked for all descendent namespaces.',
      ),
      lockPypiPackageRequestsForwarding: flag(
        'lockPypiPackageRequestsForwarding',
        'Indicates whether PyPI package forwarding is locked for all descendent namespaces.',
      ),
      mavenDuplicateExceptionRegex: regex('mavenDuplicateExceptionRegex', 'maven'),
      mavenDuplicatesAllowed: flag('mavenDuplicatesAllowed', 'Indicates whether duplicate Maven packages are allowed for this namespace.'),
      mavenPackageRequestsForwarding: optionalFlag(
        'mavenPackageRequestsForwarding',
        'Indicates whether Maven package forwarding is allowed for this namespace.',
      ),
      mavenPackageRequestsForwardingLocked: flag(
        'mavenPackageRequestsForwardingLocked',
        'Indicates whether Maven package forwarding settings are locked by a parent namespace.',
      ),
      npmPackageRequestsForwarding: optionalFlag(
        'npmPackageRequestsForwarding',
        'Indicates whether npm package forwarding is allowed for this namespace.',
      ),
      npmPackageRequestsForwardingLocked: flag(
        'npmPackageRequestsForwardingLocked',
        'Indicates whether npm package forwarding settings are locked by a parent namespace.',
      ),
      nugetDuplicateExceptionRegex: regex('nugetDuplicateExceptionRegex', 'nuget'),
      nugetDuplicatesAllowed: flag('nugetDuplicatesAllowed', 'Indicates whether duplicate NuGet packages are allowed for this namespace.'),
      nugetSymbolServerEnabled: flag('nugetSymbolServerEnabled', 'Indicates wheather the NuGet symbol server is enabled for this namespace.'),
      pypiPackageRequestsForwarding: optionalFlag(
        'pypiPackageRequestsForwarding',
        'Indicates whether PyPI package forwarding is allowed for this namespace.',
      ),
      pypiPackageRequestsForwardingLocked: flag(
        'pypiPackageRequestsForwardingLocked',
        'Indicates whether PyPI package forwarding settings are locked by a parent namespace.',
      ),
      terraformModuleDuplicateExceptionRegex: regex('terraformModuleDuplicateExceptionRegex', 'terraform_module'),
      terraformModuleDuplicatesAllowed: flag(
        'terraformModuleDuplicatesAllowed',
        'Indicates whether duplicate Terraform packages are allowed for this namespace.',
      ),
    };
  },
});

builder.objectField(GroupRef, 'packageSettings', (t) =>
  t.field({
    type: PackageSettingsRef,
    nullable: true,
    description: "Package settings for the namespace; null unless the viewer is an owner of the group or an administrator (GitLab's admin_package).",
    resolve: async (group, _args, ctx) => {
      if (!canAdminGroupPackages(ctx.viewer, group)) return null;
      return resolvePackageSettings(await ctx.loaders.packageSettingChain.load(group.fullPath));
    },
  }),
);
