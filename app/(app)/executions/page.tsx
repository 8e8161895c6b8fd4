import type { Metadata } from "next";
import { Card, PageHeader } from "@/components/ui/primitives";
import { RunsTable } from "@/components/runs/runs-table";

export const metadata: Metadata = { title: "Executions" };

export default function ExecutionsPage() {
  return (
    <>
      <PageHeader
        title="Executions"
        description="Every run (strategies, adjustments, manual tickets), newest first. Times in IST."
      />
      <Card>
        <RunsTable limit={100} />
      </Card>
    </>
  );
}
