-- Direct broker accounts (docs/direct-brokers.md).
ALTER TYPE "AccountKind" ADD VALUE 'ZERODHA';
ALTER TYPE "AccountKind" ADD VALUE 'UPSTOX';
ALTER TYPE "AccountKind" ADD VALUE 'FYERS';
ALTER TYPE "AccountKind" ADD VALUE 'DHAN';
ALTER TYPE "AccountKind" ADD VALUE 'ANGEL';
