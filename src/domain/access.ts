/** GitLab's access levels (integers as GitLab stores them). */
export const AccessLevel = {
  NONE: 0,
  GUEST: 10,
  PLANNER: 15,
  REPORTER: 20,
  DEVELOPER: 30,
  MAINTAINER: 40,
  OWNER: 50,
  ADMIN: 60,
} as const;

export const accessLevelNames = {
  guest: AccessLevel.GUEST,
  planner: AccessLevel.PLANNER,
  reporter: AccessLevel.REPORTER,
  developer: AccessLevel.DEVELOPER,
  maintainer: AccessLevel.MAINTAINER,
  owner: AccessLevel.OWNER,
} as const;

export type AccessLevelName = keyof typeof accessLevelNames;
