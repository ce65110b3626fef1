-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- DropIndex
DROP INDEX "packages_packages_project_id_created_at_id_idx";

-- DropIndex
DROP INDEX "packages_packages_project_id_name_id_idx";

-- DropIndex
DROP INDEX "packages_packages_project_id_package_type_id_idx";

-- DropIndex
DROP INDEX "packages_packages_project_id_status_package_type_version_idx";

-- DropIndex
DROP INDEX "packages_packages_project_id_version_id_idx";

-- CreateIndex
CREATE INDEX "packages_listed_project_created_at_idx" ON "packages_packages"("project_id", "created_at", "id") WHERE ((status = ANY (ARRAY['default'::"PackageStatus", 'error'::"PackageStatus", 'deprecated'::"PackageStatus"])) AND (package_type <> 'terraform_module'::"PackageType") AND (version IS NOT NULL));

-- CreateIndex
CREATE INDEX "packages_listed_project_name_idx" ON "packages_packages"("project_id", "name", "id") WHERE ((status = ANY (ARRAY['default'::"PackageStatus", 'error'::"PackageStatus", 'deprecated'::"PackageStatus"])) AND (package_type <> 'terraform_module'::"PackageType") AND (version IS NOT NULL));

-- CreateIndex
CREATE INDEX "packages_listed_project_version_idx" ON "packages_packages"("project_id", "version", "id") WHERE ((status = ANY (ARRAY['default'::"PackageStatus", 'error'::"PackageStatus", 'deprecated'::"PackageStatus"])) AND (package_type <> 'terraform_module'::"PackageType") AND (version IS NOT NULL));

-- CreateIndex
CREATE INDEX "packages_listed_project_type_idx" ON "packages_packages"("project_id", "package_type", "id") WHERE ((status = ANY (ARRAY['default'::"PackageStatus", 'error'::"PackageStatus", 'deprecated'::"PackageStatus"])) AND (package_type <> 'terraform_module'::"PackageType") AND (version IS NOT NULL));

-- CreateIndex
CREATE INDEX "packages_listed_created_at_idx" ON "packages_packages"("created_at", "id") WHERE ((status = ANY (ARRAY['default'::"PackageStatus", 'error'::"PackageStatus", 'deprecated'::"PackageStatus"])) AND (package_type <> 'terraform_module'::"PackageType") AND (version IS NOT NULL));

-- CreateIndex
CREATE INDEX "packages_listed_name_idx" ON "packages_packages"("name", "id") WHERE ((status = ANY (ARRAY['default'::"PackageStatus", 'error'::"PackageStatus", 'deprecated'::"PackageStatus"])) AND (package_type <> 'terraform_module'::"PackageType") AND (version IS NOT NULL));

-- CreateIndex
CREATE INDEX "packages_name_trgm_idx" ON "packages_packages" USING GIN ("name" gin_trgm_ops);
