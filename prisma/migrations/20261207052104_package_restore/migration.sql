-- AlterTable
ALTER TABLE "packages_packages" ADD COLUMN     "status_before_destruction" "PackageStatus";
