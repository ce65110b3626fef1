// Package protection rules (spec rest.md 5): which packages a user may not delete.
import type { Package, PackageProtectionRule, PackageType } from '../generated/prisma/client.ts';
import { AccessLevel } from './access.ts';

/** Package types a rule may name; packages of other types are never protected. */
export const protectableTypes: ReadonlySet<PackageType> = new Set([
  'cargo', 'conan', 'generic', 'helm', 'maven', 'npm', 'nuget', 'pypi', 'terraform_module',
] as PackageType[]);

/** PyPI names compare normalised: runs of `-`, `_` and `.` are one `-`. */
const normalise = (name: string, type: PackageType) => (type === 'pypi' ? name.replace(/[-_.]+/g, '-') : name).toLowerCase();

/** Whole-string, case-insensitive glob match where `*` is any sequence. */
export function ruleMatches(rule: Pick<PackageProtectionRule, 'packageNamePattern' | 'packageType'>, pkg: Pick<Package, 'name' | 'packageType'>): boolean {
  if (rule.packageType !== pkg.packageType || !protectableTypes.has(pkg.packageType)) return false;
  const pattern = normalise(rule.packageNamePattern, rule.packageType)
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(normalise(pkg.name, pkg.packageType));
}

/** Whether any rule of the project matches the package (GraphQL `protectionRuleExists`). */
export function anyRuleMatches(rules: readonly PackageProtectionRule[], pkg: Pick<Package, 'name' | 'packageType'>): boolean {
  return rules.some((rule) => ruleMatches(rule, pkg));
}

/** Whether some rule matching the package asks more of `column` than `accessLevel` (admins: never). */
function blocks(
  rules: readonly PackageProtectionRule[],
  pkg: Pick<Package, 'name' | 'packageType'>,
  accessLevel: number,
  column: 'minimumAccessLevelForDelete' | 'minimumAccessLevelForPush',
): boolean {
  if (accessLevel >= AccessLevel.ADMIN) return false;
  return rules.some((rule) => rule[column] !== null && accessLevel < rule[column] && ruleMatches(rule, pkg));
}

/**
 * Whether a user with `accessLevel` on the project may not delete the package: some matching rule
 * asks for more than that. Admins are never blocked; rules without a delete level never block users.
 */
export function isDeletionProtected(rules: readonly PackageProtectionRule[], pkg: Pick<Package, 'name' | 'packageType'>, accessLevel: number): boolean {
  return blocks(rules, pkg, accessLevel, 'minimumAccessLevelForDelete');
}

/**
 * Whether a user with `accessLevel` on the project may not publish a package of this name and type
 * (GitLab's Packages::Protection::CheckRuleExistenceService.for_push and Rule.for_action_exists?):
 * some matching rule's `minimum_access_level_for_push` is above it. Admins are never blocked; rules
 * without a push level never block a push.
 */
export function isPushProtected(rules: readonly PackageProtectionRule[], pkg: Pick<Package, 'name' | 'packageType'>, accessLevel: number): boolean {
  return blocks(rules, pkg, accessLevel, 'minimumAccessLevelForPush');
}

/** GitLab's refusal of a change that a deletion-protection rule blocks for the viewer (its `deletion_protected_error_message`). */
export const deletionProtectedMessage = 'Package is deletion protected.';
