-- AlterTable
ALTER TABLE "packages_package_files" ADD COLUMN     "object_key" TEXT;

-- CreateTable
CREATE TABLE "package_file_uploads" (
    "object_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "package_file_uploads_pkey" PRIMARY KEY ("object_key")
);

-- CreateIndex
CREATE INDEX "package_file_uploads_created_at_idx" ON "package_file_uploads"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "packages_package_files_object_key_key" ON "packages_package_files"("object_key");

-- CreateIndex
CREATE INDEX "packages_package_files_pending_destruction_idx" ON "packages_package_files"("updated_at", "id") WHERE (status = 'pending_destruction'::"PackageFileStatus");

-- CreateIndex
CREATE INDEX "packages_packages_pending_destruction_idx" ON "packages_packages"("updated_at", "id") WHERE (status = 'pending_destruction'::"PackageStatus");
