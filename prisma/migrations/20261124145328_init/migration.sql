-- Names, versions, file names and project paths sort in byte order (COLLATE "C") in every database,
-- so PGlite and PostgreSQL agree. Prisma does not model collations, so they are set here.
-- (No semicolons in comments: the PostgreSQL adapter splits scripts on them.)

-- CreateEnum
CREATE TYPE "UserState" AS ENUM ('active', 'blocked');

-- CreateEnum
CREATE TYPE "Visibility" AS ENUM ('private', 'internal', 'public');

-- CreateEnum
CREATE TYPE "NamespaceKind" AS ENUM ('group', 'user');

-- CreateEnum
CREATE TYPE "PackageType" AS ENUM ('maven', 'npm', 'conan', 'nuget', 'pypi', 'composer', 'generic', 'golang', 'debian', 'rubygems', 'helm', 'terraform_module', 'rpm', 'ml_model', 'cargo');

-- CreateEnum
CREATE TYPE "PackageStatus" AS ENUM ('default', 'hidden', 'processing', 'error', 'pending_destruction', 'deprecated');

-- CreateEnum
CREATE TYPE "PackageFileStatus" AS ENUM ('default', 'pending_destruction', 'processing', 'error');

-- CreateEnum
CREATE TYPE "PipelineStatus" AS ENUM ('created', 'waiting_for_resource', 'preparing', 'waiting_for_callback', 'pending', 'running', 'failed', 'success', 'canceled', 'canceling', 'skipped', 'manual', 'scheduled');

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "state" "UserState" NOT NULL DEFAULT 'active',
    "public_email" TEXT,
    "avatar_url" TEXT,
    "admin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "personal_access_tokens" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "token_digest" TEXT NOT NULL,
    "scopes" TEXT[],
    "expires_at" TIMESTAMPTZ(3),
    "revoked" BOOLEAN NOT NULL DEFAULT false,
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "personal_access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "namespaces" (
    "id" SERIAL NOT NULL,
    "kind" "NamespaceKind" NOT NULL DEFAULT 'group',
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "full_path" TEXT NOT NULL,
    "parent_id" INTEGER,
    "owner_id" INTEGER,
    "visibility" "Visibility" NOT NULL DEFAULT 'private',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "namespaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" SERIAL NOT NULL,
    "namespace_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT COLLATE "C" NOT NULL,
    "full_path" TEXT NOT NULL,
    "visibility" "Visibility" NOT NULL DEFAULT 'private',
    "packages_enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "group_members" (
    "id" SERIAL NOT NULL,
    "namespace_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "access_level" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "group_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "project_members" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "access_level" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "project_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ci_pipelines" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "iid" INTEGER NOT NULL,
    "sha" TEXT NOT NULL,
    "ref" TEXT,
    "status" "PipelineStatus" NOT NULL,
    "source" TEXT,
    "user_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ci_pipelines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_packages" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "creator_id" INTEGER,
    "name" TEXT COLLATE "C" NOT NULL,
    "version" TEXT COLLATE "C",
    "package_type" "PackageType" NOT NULL,
    "status" "PackageStatus" NOT NULL DEFAULT 'default',
    "status_message" TEXT,
    "conan_username" TEXT,
    "conan_channel" TEXT,
    "last_downloaded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "packages_packages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_tags" (
    "id" SERIAL NOT NULL,
    "package_id" INTEGER NOT NULL,
    "project_id" INTEGER,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "packages_tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_package_files" (
    "id" SERIAL NOT NULL,
    "package_id" INTEGER NOT NULL,
    "file_name" TEXT COLLATE "C" NOT NULL,
    "size" BIGINT NOT NULL,
    "file_md5" TEXT,
    "file_sha1" TEXT,
    "file_sha256" TEXT,
    "status" "PackageFileStatus" NOT NULL DEFAULT 'default',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "packages_package_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_build_infos" (
    "id" SERIAL NOT NULL,
    "package_id" INTEGER NOT NULL,
    "pipeline_id" INTEGER,

    CONSTRAINT "packages_build_infos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_package_file_build_infos" (
    "id" SERIAL NOT NULL,
    "package_file_id" INTEGER NOT NULL,
    "pipeline_id" INTEGER,

    CONSTRAINT "packages_package_file_build_infos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_protection_rules" (
    "id" SERIAL NOT NULL,
    "project_id" INTEGER NOT NULL,
    "package_name_pattern" TEXT NOT NULL,
    "package_type" "PackageType" NOT NULL,
    "minimum_access_level_for_delete" INTEGER,
    "minimum_access_level_for_push" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "packages_protection_rules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "personal_access_tokens_token_digest_key" ON "personal_access_tokens"("token_digest");

-- CreateIndex
CREATE INDEX "personal_access_tokens_user_id_idx" ON "personal_access_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "namespaces_full_path_key" ON "namespaces"("full_path");

-- CreateIndex
CREATE INDEX "namespaces_parent_id_idx" ON "namespaces"("parent_id");

-- CreateIndex
CREATE UNIQUE INDEX "projects_full_path_key" ON "projects"("full_path");

-- CreateIndex
CREATE INDEX "projects_namespace_id_path_idx" ON "projects"("namespace_id", "path");

-- CreateIndex
CREATE INDEX "group_members_user_id_idx" ON "group_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "group_members_namespace_id_user_id_key" ON "group_members"("namespace_id", "user_id");

-- CreateIndex
CREATE INDEX "project_members_user_id_idx" ON "project_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "project_members_project_id_user_id_key" ON "project_members"("project_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "ci_pipelines_project_id_iid_key" ON "ci_pipelines"("project_id", "iid");

-- CreateIndex
CREATE INDEX "packages_packages_project_id_status_created_at_id_idx" ON "packages_packages"("project_id", "status", "created_at", "id");

-- CreateIndex
CREATE INDEX "packages_packages_project_id_created_at_id_idx" ON "packages_packages"("project_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "packages_packages_project_id_name_id_idx" ON "packages_packages"("project_id", "name", "id");

-- CreateIndex
CREATE INDEX "packages_packages_project_id_version_id_idx" ON "packages_packages"("project_id", "version", "id");

-- CreateIndex
CREATE INDEX "packages_packages_project_id_package_type_id_idx" ON "packages_packages"("project_id", "package_type", "id");

-- CreateIndex
CREATE INDEX "packages_packages_project_id_name_package_type_version_idx" ON "packages_packages"("project_id", "name", "package_type", "version");

-- CreateIndex
CREATE INDEX "packages_tags_package_id_id_idx" ON "packages_tags"("package_id", "id");

-- CreateIndex
CREATE INDEX "packages_package_files_package_id_status_id_idx" ON "packages_package_files"("package_id", "status", "id");

-- CreateIndex
CREATE INDEX "packages_package_files_package_id_file_name_idx" ON "packages_package_files"("package_id", "file_name");

-- CreateIndex
CREATE INDEX "packages_package_files_package_id_created_at_idx" ON "packages_package_files"("package_id", "created_at");

-- CreateIndex
CREATE INDEX "packages_build_infos_package_id_id_idx" ON "packages_build_infos"("package_id", "id");

-- CreateIndex
CREATE INDEX "packages_build_infos_pipeline_id_idx" ON "packages_build_infos"("pipeline_id");

-- CreateIndex
CREATE INDEX "packages_package_file_build_infos_package_file_id_id_idx" ON "packages_package_file_build_infos"("package_file_id", "id");

-- CreateIndex
CREATE INDEX "packages_package_file_build_infos_pipeline_id_idx" ON "packages_package_file_build_infos"("pipeline_id");

-- CreateIndex
CREATE UNIQUE INDEX "packages_protection_rules_project_id_package_type_package_n_key" ON "packages_protection_rules"("project_id", "package_type", "package_name_pattern");

-- AddForeignKey
ALTER TABLE "personal_access_tokens" ADD CONSTRAINT "personal_access_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "namespaces" ADD CONSTRAINT "namespaces_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "namespaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "namespaces" ADD CONSTRAINT "namespaces_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "projects" ADD CONSTRAINT "projects_namespace_id_fkey" FOREIGN KEY ("namespace_id") REFERENCES "namespaces"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_namespace_id_fkey" FOREIGN KEY ("namespace_id") REFERENCES "namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ci_pipelines" ADD CONSTRAINT "ci_pipelines_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ci_pipelines" ADD CONSTRAINT "ci_pipelines_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_packages" ADD CONSTRAINT "packages_packages_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_packages" ADD CONSTRAINT "packages_packages_creator_id_fkey" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_tags" ADD CONSTRAINT "packages_tags_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_tags" ADD CONSTRAINT "packages_tags_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_package_files" ADD CONSTRAINT "packages_package_files_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_build_infos" ADD CONSTRAINT "packages_build_infos_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_build_infos" ADD CONSTRAINT "packages_build_infos_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "ci_pipelines"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_package_file_build_infos" ADD CONSTRAINT "packages_package_file_build_infos_package_file_id_fkey" FOREIGN KEY ("package_file_id") REFERENCES "packages_package_files"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_package_file_build_infos" ADD CONSTRAINT "packages_package_file_build_infos_pipeline_id_fkey" FOREIGN KEY ("pipeline_id") REFERENCES "ci_pipelines"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_protection_rules" ADD CONSTRAINT "packages_protection_rules_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
