import { builder } from './builder.ts';
import { PackageStatus, PackageType, PipelineStatus } from '../generated/prisma/enums.ts';

/** GraphQL enum values are the database values in upper case (`TERRAFORM_MODULE` = `terraform_module`). */
function upperCaseEnum<T extends string>(values: readonly T[]) {
  return Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<string, { value: T }>;
}

export const PackageTypeEnum = builder.enumType('PackageTypeEnum', {
  values: upperCaseEnum(Object.values(PackageType)),
});

export const PackageStatusEnum = builder.enumType('PackageStatus', {
  values: upperCaseEnum(Object.values(PackageStatus)),
});

export const PipelineStatusEnum = builder.enumType('PipelineStatusEnum', {
  values: upperCaseEnum(Object.values(PipelineStatus)),
});

export const VisibilityLevelsEnum = builder.enumType('VisibilityLevelsEnum', {
  values: { private: { value: 'private' }, internal: { value: 'internal' }, public: { value: 'public' } } as const,
});

import type { PackageSort } from '../domain/packages.ts';

const projectSorts = ['CREATED_ASC', 'CREATED_DESC', 'NAME_ASC', 'NAME_DESC', 'VERSION_ASC', 'VERSION_DESC', 'TYPE_ASC', 'TYPE_DESC'] as const;
const groupSorts = [...projectSorts, 'PROJECT_PATH_ASC', 'PROJECT_PATH_DESC'] as const;
export type SortName = (typeof groupSorts)[number];

export const PackageSortEnum = builder.enumType('PackageSort', { values: projectSorts });
export const PackageGroupSortEnum = builder.enumType('PackageGroupSort', { values: groupSorts });

/** `NAME_DESC` -> name, descending. */
export function parseSort(name: SortName): PackageSort {
  const direction = name.endsWith('_ASC') ? 'asc' : 'desc';
  const key = name.slice(0, name.lastIndexOf('_'));
  const keys = { CREATED: 'created_at', NAME: 'name', VERSION: 'version', TYPE: 'type', PROJECT_PATH: 'project_path' } as const;
  return { key: keys[key as keyof typeof keys], direction };
}
