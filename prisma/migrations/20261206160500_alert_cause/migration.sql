-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "cause" TEXT;

