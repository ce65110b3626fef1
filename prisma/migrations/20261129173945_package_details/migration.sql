-- CreateEnum
CREATE TYPE "PackageDependencyType" AS ENUM ('dependencies', 'dev_dependencies', 'bundle_dependencies', 'peer_dependencies');

-- CreateTable
CREATE TABLE "packages_maven_metadata" (
    "package_id" INTEGER NOT NULL,
    "app_group" TEXT NOT NULL,
    "app_name" TEXT NOT NULL,
    "app_version" TEXT,
    "path" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "packages_maven_metadata_pkey" PRIMARY KEY ("package_id")
);

-- CreateTable
CREATE TABLE "packages_pypi_metadata" (
    "package_id" INTEGER NOT NULL,
    "required_python" TEXT DEFAULT '',
    "metadata_version" TEXT,
    "summary" TEXT,
    "keywords" TEXT,
    "author_email" TEXT,
    "description" TEXT,
    "description_content_type" TEXT,

    CONSTRAINT "packages_pypi_metadata_pkey" PRIMARY KEY ("package_id")
);

-- CreateTable
CREATE TABLE "packages_nuget_metadata" (
    "package_id" INTEGER NOT NULL,
    "license_url" TEXT,
    "project_url" TEXT,
    "icon_url" TEXT,
    "authors" TEXT,
    "description" TEXT,

    CONSTRAINT "packages_nuget_metadata_pkey" PRIMARY KEY ("package_id")
);

-- CreateTable
CREATE TABLE "packages_composer_metadata" (
    "package_id" INTEGER NOT NULL,
    "target_sha" TEXT NOT NULL,
    "composer_json" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "packages_composer_metadata_pkey" PRIMARY KEY ("package_id")
);

-- CreateTable
CREATE TABLE "packages_npm_metadata" (
    "package_id" INTEGER NOT NULL,
    "package_json" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "packages_npm_metadata_pkey" PRIMARY KEY ("package_id")
);

-- CreateTable
CREATE TABLE "packages_dependencies" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "version_pattern" TEXT NOT NULL,

    CONSTRAINT "packages_dependencies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_dependency_links" (
    "id" SERIAL NOT NULL,
    "package_id" INTEGER NOT NULL,
    "dependency_id" INTEGER NOT NULL,
    "dependency_type" "PackageDependencyType" NOT NULL,

    CONSTRAINT "packages_dependency_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages_nuget_dependency_link_metadata" (
    "dependency_link_id" INTEGER NOT NULL,
    "target_framework" TEXT NOT NULL,

    CONSTRAINT "packages_nuget_dependency_link_metadata_pkey" PRIMARY KEY ("dependency_link_id")
);

-- CreateTable
CREATE TABLE "namespace_package_settings" (
    "namespace_id" INTEGER NOT NULL,
    "maven_duplicates_allowed" BOOLEAN NOT NULL DEFAULT true,
    "maven_duplicate_exception_regex" TEXT NOT NULL DEFAULT '',
    "generic_duplicates_allowed" BOOLEAN NOT NULL DEFAULT true,
    "generic_duplicate_exception_regex" TEXT NOT NULL DEFAULT '',
    "nuget_duplicates_allowed" BOOLEAN NOT NULL DEFAULT true,
    "nuget_duplicate_exception_regex" TEXT NOT NULL DEFAULT '',
    "terraform_module_duplicates_allowed" BOOLEAN NOT NULL DEFAULT false,
    "terraform_module_duplicate_exception_regex" TEXT NOT NULL DEFAULT '',
    "maven_package_requests_forwarding" BOOLEAN,
    "lock_maven_package_requests_forwarding" BOOLEAN NOT NULL DEFAULT false,
    "npm_package_requests_forwarding" BOOLEAN,
    "lock_npm_package_requests_forwarding" BOOLEAN NOT NULL DEFAULT false,
    "pypi_package_requests_forwarding" BOOLEAN,
    "lock_pypi_package_requests_forwarding" BOOLEAN NOT NULL DEFAULT false,
    "nuget_symbol_server_enabled" BOOLEAN NOT NULL DEFAULT false,
    "audit_events_enabled" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "namespace_package_settings_pkey" PRIMARY KEY ("namespace_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "packages_dependencies_name_version_pattern_key" ON "packages_dependencies"("name", "version_pattern");

-- CreateIndex
CREATE INDEX "packages_dependency_links_dependency_id_idx" ON "packages_dependency_links"("dependency_id");

-- CreateIndex
CREATE UNIQUE INDEX "packages_dependency_links_package_id_dependency_id_dependen_key" ON "packages_dependency_links"("package_id", "dependency_id", "dependency_type");

-- AddForeignKey
ALTER TABLE "packages_maven_metadata" ADD CONSTRAINT "packages_maven_metadata_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_pypi_metadata" ADD CONSTRAINT "packages_pypi_metadata_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_nuget_metadata" ADD CONSTRAINT "packages_nuget_metadata_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_composer_metadata" ADD CONSTRAINT "packages_composer_metadata_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_npm_metadata" ADD CONSTRAINT "packages_npm_metadata_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_dependency_links" ADD CONSTRAINT "packages_dependency_links_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_dependency_links" ADD CONSTRAINT "packages_dependency_links_dependency_id_fkey" FOREIGN KEY ("dependency_id") REFERENCES "packages_dependencies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "packages_nuget_dependency_link_metadata" ADD CONSTRAINT "packages_nuget_dependency_link_metadata_dependency_link_id_fkey" FOREIGN KEY ("dependency_link_id") REFERENCES "packages_dependency_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "namespace_package_settings" ADD CONSTRAINT "namespace_package_settings_namespace_id_fkey" FOREIGN KEY ("namespace_id") REFERENCES "namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
