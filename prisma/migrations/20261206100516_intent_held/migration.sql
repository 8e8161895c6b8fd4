-- AlterEnum
ALTER TYPE "IntentState" ADD VALUE 'held';

