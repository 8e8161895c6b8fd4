-- AlterTable
ALTER TABLE "copy_events" ADD COLUMN     "order_quantity" INTEGER;

