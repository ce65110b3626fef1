// GitLab's npm registry, project level (lib/api/npm_project_packages.rb,
// lib/api/concerns/packages/npm_endpoints.rb, app/services/packages/npm/*): publishing a version with
// its tarball, deprecating versions, dist-tags (the package document npm reads: npm-metadata.ts).
import { PassThrough, type Readable } from 'node:stream';
import type { Package, PackageDependencyType, Prisma, PrismaClient, Project } from '../generated/prisma/client.ts';
import { NpmDocumentError, readNpmDocument, type NpmDocument } from './npm-document.ts';
import { dependencyKeys, findNpmPackages, isObject, npmInstallableStatuses } from './npm-metadata.ts';
import { canCreatePackages, canDestroyPackages, projectAccessLevel, type ProjectFacts } from './policy.ts';
import { isPushProtected } from './protection.ts';
import { recordAuditEvents, type AuditActor } from './audit.ts';
import { lockPackageCoordinate, storeUpload, type UploadTarget } from './uploads.ts';
import type { Viewer } from './viewer.ts';

// Gitlab::Regex::Packages.npm_package_name_regex, with Gitlab::PathRegex::NAMESPACE_FORMAT_REGEX as the scope.
const namespaceFormat = String.raw`(?:[a-zA-Z0-9_.][a-zA-Z0-9_\-.]*[a-zA-Z0-9_\-]|[a-zA-Z0-9_])(?<!\.git|\.atom)`;
export const npmPackageNameRegex = new RegExp(String.raw`^(?:@(${namespaceFormat})/)?[-+._a-zA-Z0-9]+$`);
/** Gitlab::Regex.semver_regex. */
export const semverRegex =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:\d*[a-zA-Z-][0-9a-zA-Z-]*|[1-9]\d*|0)(?:\.(?:\d*[a-zA-Z-][0-9a-zA-Z-]*|[1-9]\d*|0))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const nameMessage = 'Name should be a valid NPM package name: https://github.com/npm/validate-npm-package-name#naming-rules.';
const versionMessage = 'Version should follow SemVer: https://semver.org';
/** Packages::Npm::Metadatum's limit on the stored package.json (characters of its JSON). */
export const maxPackageJsonChars = 20_000;
// Packages::Npm::CreatePackageService.
const notStoredFields = ['readme', 'readmeFilename', 'licenseText', 'contributors', 'exports'];
const installScripts = ['preinstall', 'install', 'postinstall'];

/**
 * A refusal of the npm API, with GitLab's status and message (answered as `{"message": m, "error": m}`);
 * nothing was stored.
 */
export class NpmRefused extends Error {
  override name = 'NpmRefused';
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

type Tx = Prisma.TransactionClient;

const firstKey = (value: unknown) => (isObject(value) ? Object.keys(value)[0] : undefined);

async function pushProtected(db: Pick<Tx, 'packageProtectionRule'>, viewer: Viewer, project: Project, name: string): Promise<boolean> {
  const rules = await db.packageProtectionRule.findMany({
    where: { projectId: project.id, packageType: 'npm' },
  });
  return isPushProtected(rules, { name, packageType: 'npm' }, projectAccessLevel(viewer, project));
}

/** The version's package.json as GitLab stores it: without the fields it drops, with hasInstallScript. */
function storedPackageJson(versionData: Record<string, unknown>, tarball: { sha1: string; sha512: string }): Record<string, unknown> {
  const json: Record<string, unknown> = Object.fromEntries(Object.entries(versionData).filter(([key]) => !notStoredFields.includes(key)));
  const scripts = json.scripts;
  if (isObject(scripts) && installScripts.some((key) => key in scripts)) json.hasInstallScript = true;
  // The digests of the bytes received (checked against what npm sent), as npm's dist fields.
  json.dist = {
    ...(isObject(json.dist) ? json.dist : {}),
    shasum: tarball.sha1,
    integrity: `sha512-${tarball.sha512}`,
  };
  return json;
}

/** Refuses a document whose dist.shasum or dist.integrity (sha512) does not match the tarball received. */
function checkDigests(versionData: Record<string, unknown>, stored: { sha1: string; sha512: string }): void {
  const dist = isObject(versionData.dist) ? versionData.dist : {};
  if (typeof dist.shasum === 'string' && dist.shasum.toLowerCase() !== stored.sha1) {
    throw new NpmRefused(400, 'Validation failed: the tarball does not match dist.shasum');
  }
  const integrity = typeof dist.integrity === 'string' ? dist.integrity.split(/\s+/).find((h) => h.startsWith('sha512-')) : undefined;
  if (integrity !== undefined && integrity !== `sha512-${stored.sha512}`) {
    throw new NpmRefused(400, 'Validation failed: the tarball does not match dist.integrity');
  }
}

/** Links the package to its dependencies (GitLab's Packages::CreateDependencyService; only object-valued kinds). */
async function createDependencyLinks(tx: Tx, packageId: number, versionData: Record<string, unknown>): Promise<void> {
  const wanted: {
    name: string;
    versionPattern: string;
    type: PackageDependencyType;
  }[] = [];
  for (const [key, type] of Object.entries(dependencyKeys)) {
    const deps = versionData[key];
    if (!isObject(deps)) continue;
    for (const [name, pattern] of Object.entries(deps)) if (typeof pattern === 'string') wanted.push({ name, versionPattern: pattern, type });
  }
  if (wanted.length === 0) return;
  const pairs = wanted.map(({ name, versionPattern }) => ({
    name,
    versionPattern,
  }));
  await tx.packageDependency.createMany({ data: pairs, skipDuplicates: true });
  const rows = await tx.packageDependency.findMany({ where: { OR: pairs } });
  const idOf = new Map(rows.map((r) => [`${r.name}\u0001${r.versionPattern}`, r.id]));
  await tx.packageDependencyLink.createMany({
    data: wanted.map((w) => ({
      packageId,
      dependencyId: idOf.get(`${w.name}\u0001${w.versionPattern}`)!,
      dependencyType: w.type,
    })),
    skipDuplicates: true,
  });
}

/**
 * Points the project's tag `name` for the npm package `pkg.name` at `pkg` (Packages::Npm::CreateTagService):
 * an existing tag moves, else a new one is made.
 */
async function setTag(tx: Tx, pkg: Pick<Package, 'id' | 'projectId' | 'name'>, tag: string): Promise<void> {
  const existing = await tx.packageTag.findFirst({
    where: {
      name: tag,
      package: { projectId: pkg.projectId, packageType: 'npm', name: pkg.name },
    },
    orderBy: { id: 'desc' },
  });
  if (existing)
    await tx.packageTag.update({
      where: { id: existing.id },
      data: { packageId: pkg.id },
    });
  else
    await tx.packageTag.create({
      data: { packageId: pkg.id, projectId: pkg.projectId, name: tag },
    });
}

export interface NpmPublish {
  project: Project;
  /** The publisher, as the audit log names it. */
  actor: AuditActor;
  /** The name in the URL (GitLab checks push protection with it before reading the body). */
  urlName: string;
  body: Readable | AsyncIterable<Uint8Array>;
}

/**
 * `npm publish` (Packages::Npm::CreatePackageService, synchronously): the caller needs create_package
 * (developer+), no push rule may match; the document's first version and its tarball
 * (`_attachments["<name>-<version>.tgz"]`, streamed to the storage as it is decoded) become a package
 * with one file, its package.json (npm metadata), dependency links and its first dist-tag. Refusals
 * in GitLab's order: 'Version is empty.', 'Name is empty.', 'Attachment data is empty.' (400),
 * 'Package already exists.' (403), 'Package protected.' (403), validation failures (400). Throws
 * NpmRefused, NpmDocumentError or storeUpload's errors; nothing is kept on any throw.
 */
export async function publishNpmPackage(target: UploadTarget, input: NpmPublish): Promise<Package> {
  const { prisma } = target;
  const { project, actor } = input;
  const { viewer } = actor;
  let audited = () => {};
  if (!canCreatePackages(viewer, project as ProjectFacts)) throw new NpmRefused(403, '403 Forbidden');
  if (await pushProtected(prisma, viewer, project, input.urlName)) throw new NpmRefused(403, 'Package protected.');
  const tarball = new PassThrough();
  // A parse failure destroys the tarball stream, maybe before the storage reads it: the error is
  // reported through `parsing`, not as an unhandled stream error.
  tarball.on('error', () => {});
  const parsing = readNpmDocument(input.body, tarball);
  const parseFailure = parsing.then(
    () => undefined,
    (error: unknown) => error,
  );
  try {
    const published = await storeUpload(
      target,
      tarball,
      async (tx, stored) => {
        const { value: doc, attachment } = (await parsing) as NpmDocument;
        if (!isObject(doc.versions)) throw new NpmRefused(400, 'versions is missing');
        const version = firstKey(doc.versions);
        if (!version) throw new NpmRefused(400, 'Version is empty.');
        const name = typeof doc.name === 'string' ? doc.name : '';
        if (name === '') throw new NpmRefused(400, 'Name is empty.');
        const versionData = isObject(doc.versions[version]) ? (doc.versions[version] as Record<string, unknown>) : {};
        if (attachment !== `${name}-${version}.tgz` || stored.size === 0) throw new NpmRefused(400, 'Attachment data is empty.');
        await lockPackageCoordinate(tx, {
          projectId: project.id,
          packageType: 'npm',
          name,
          version,
        });
        const exists = await tx.package.findFirst({
          where: {
            projectId: project.id,
            packageType: 'npm',
            name,
            version,
            status: { not: 'pending_destruction' },
          },
          select: { id: true },
        });
        if (exists) throw new NpmRefused(403, 'Package already exists.');
        if (await pushProtected(tx, viewer, project, name)) throw new NpmRefused(403, 'Package protected.');
        const invalid = [npmPackageNameRegex.test(name) ? null : nameMessage, semverRegex.test(version) ? null : versionMessage].filter(Boolean);
        if (invalid.length > 0) throw new NpmRefused(400, `Validation failed: ${invalid.join(', ')}`);
        await checkTakenInRootNamespace(tx, project, name, version);
        checkDigests(versionData, stored);
        const packageJson = storedPackageJson(versionData, stored);
        if (JSON.stringify(packageJson).length > maxPackageJsonChars) {
          throw new NpmRefused(400, `Validation failed: Package json structure is too large. Maximum size is ${maxPackageJsonChars} characters`);
        }
        const pkg = await tx.package.create({
          data: {
            projectId: project.id,
            name,
            version,
            packageType: 'npm',
            status: 'default',
            creatorId: viewer.kind === 'user' ? viewer.id : null,
            npmMetadatum: {
              create: { packageJson: packageJson as Prisma.InputJsonValue },
            },
            files: {
              create: {
                fileName: `${name}-${version}.tgz`,
                size: BigInt(stored.size),
                fileMd5: stored.md5,
                fileSha1: stored.sha1,
                fileSha256: stored.sha256,
                objectKey: stored.objectKey,
              },
            },
          },
        });
        await createDependencyLinks(tx, pkg.id, versionData);
        const tag = firstKey(doc['dist-tags']);
        if (tag) await setTag(tx, pkg, tag);
        audited = await recordAuditEvents(tx, actor, [{ eventName: 'package_registry_package_published', package: { ...pkg, project } }]);
        return pkg;
      },
      { ready: parsing },
    );
    audited();
    return published;
  } catch (error) {
    // Bad JSON is what went wrong, whatever the storage made of the stream it ended.
    const failure = await Promise.race([parseFailure, new Promise((resolve) => setImmediate(resolve, undefined))]);
    throw failure instanceof NpmDocumentError ? failure : error;
  }
}

/**
 * Packages::Npm::Package#npm_package_already_taken: a name scoped with the project's root namespace
 * (`@acme/…` in a project under `acme`) may not have this version in another project of that namespace.
 */
async function checkTakenInRootNamespace(tx: Tx, project: Project, name: string, version: string): Promise<void> {
  const root = project.fullPath.split('/')[0]!;
  if (!name.startsWith(`@${root}/`)) return;
  const taken = await tx.package.findFirst({
    where: {
      packageType: 'npm',
      name,
      version,
      status: { not: 'pending_destruction' },
      projectId: { not: project.id },
      project: { fullPath: { startsWith: `${root}/` } },
    },
    select: { id: true },
  });
  if (taken) throw new NpmRefused(400, 'Validation failed: Package already exists');
}

/**
 * `npm deprecate` (a PUT of the package document with `Npm-Command: deprecate`;
 * Packages::Npm::DeprecatePackageService): maintainer+; each version given with a `deprecated` key
 * gets that message in its package.json and status `deprecated`, or, with an empty message, loses it
 * and returns to `default`. Resolves to the number of versions changed. Throws NpmRefused (403; 400
 * when no version carries `deprecated`) or NpmDocumentError.
 */
export async function deprecateNpmPackage(
  prisma: PrismaClient,
  input: { project: Project; viewer: Viewer; name: string; body: NpmPublish['body'] },
): Promise<number> {
  if (!canDestroyPackages(input.viewer, input.project as ProjectFacts)) throw new NpmRefused(403, '403 Forbidden');
  const { value: doc } = await readNpmDocument(input.body);
  const versions = isObject(doc.versions) ? doc.versions : {};
  const messages = new Map(
    Object.entries(versions).flatMap(([v, data]) => (isObject(data) && typeof data.deprecated === 'string' ? [[v, data.deprecated] as const] : [])),
  );
  if (messages.size === 0) throw new NpmRefused(400, '"package versions to deprecate" not given');
  const packages = await findNpmPackages(prisma, input.project.id, input.name);
  let changed = 0;
  for (const pkg of packages) {
    const message = messages.get(pkg.version ?? '');
    if (message === undefined) continue;
    const json = isObject(pkg.npmMetadatum?.packageJson) ? { ...(pkg.npmMetadatum.packageJson as Record<string, unknown>) } : {};
    if ((json.deprecated ?? '') === message) continue;
    if (message === '') delete json.deprecated;
    else json.deprecated = message;
    await prisma.package.update({
      where: { id: pkg.id },
      data: {
        status: message === '' ? 'default' : 'deprecated',
        npmMetadatum: {
          upsert: {
            create: { packageJson: json as Prisma.InputJsonValue },
            update: { packageJson: json as Prisma.InputJsonValue },
          },
        },
      },
    });
    changed++;
  }
  return changed;
}

/** `npm dist-tag add`: points `tag` at the installable version (Packages::Npm::CreateTagService); false when there is no such version. */
export async function addDistTag(prisma: PrismaClient, projectId: number, name: string, version: string, tag: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const pkg = await tx.package.findFirst({
      where: {
        projectId,
        packageType: 'npm',
        name,
        version,
        status: { in: [...npmInstallableStatuses] },
      },
      orderBy: { id: 'desc' },
    });
    if (!pkg) return false;
    await lockPackageCoordinate(tx, {
      projectId,
      packageType: 'npm',
      name,
      version: null,
    });
    await setTag(tx, pkg, tag);
    return true;
  });
}

/** `npm dist-tag rm` (Packages::RemoveTagService): false when the package has no such tag. */
export async function removeDistTag(prisma: PrismaClient, projectId: number, name: string, tag: string): Promise<boolean> {
  const removed = await prisma.packageTag.deleteMany({
    where: { name: tag, package: { projectId, packageType: 'npm', name } },
  });
  return removed.count > 0;
}
