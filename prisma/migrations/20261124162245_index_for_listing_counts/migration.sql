-- CreateIndex
CREATE INDEX "packages_packages_project_id_status_package_type_version_idx" ON "packages_packages"("project_id", "status", "package_type", "version");
