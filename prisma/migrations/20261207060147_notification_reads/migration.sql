-- AlterTable
ALTER TABLE "notifications" ADD COLUMN     "read_at" TIMESTAMPTZ(3);

