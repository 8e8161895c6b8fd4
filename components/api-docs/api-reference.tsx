import type { ReferenceGroup, ReferenceOperation } from "@/lib/http/api-v1/reference";
import { Badge, Card, Table } from "@/components/ui/primitives";

const METHOD_TONE = { GET: "blue", POST: "amber", PUT: "amber", PATCH: "amber", DELETE: "red" } as const;
const SCOPE_TONE = { read: "green", trade: "red", public: "slate" } as const;

function Operation({ op }: { op: ReferenceOperation }) {
  return (
    <article id={op.id} className="border-t border-slate-200 py-4 first:border-t-0 first:pt-0 dark:border-slate-800">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={METHOD_TONE[op.method as keyof typeof METHOD_TONE] ?? "slate"}>{op.method}</Badge>
        <code className="text-sm font-semibold break-all">{op.path}</code>
        <Badge tone={SCOPE_TONE[op.scope as keyof typeof SCOPE_TONE] ?? "slate"}>
          {op.scope === "public" ? "no key" : `${op.scope} key`}
        </Badge>
      </div>
      <p className="mt-1 text-sm">{op.summary}</p>
      {op.description ? <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{op.description}</p> : null}
      {op.fields.length ? (
        <div className="mt-2">
          <Table
            head={
              <tr>
                <th className="py-1 pr-3">Name</th>
                <th className="hidden py-1 pr-3 sm:table-cell">In</th>
                <th className="py-1 pr-3">Type</th>
                <th className="py-1 pr-3">Required</th>
                <th className="hidden py-1 sm:table-cell">Description</th>
              </tr>
            }
          >
            {op.fields.map((f) => (
              <tr key={`${f.in}-${f.name}-${f.description}`}>
                <td className="py-1 pr-3 font-mono text-xs">
                  {f.name}
                  <span className="block text-[10px] text-slate-400 sm:hidden">{f.in}</span>
                  {f.description ? (
                    <span className="mt-0.5 block font-sans text-slate-600 sm:hidden dark:text-slate-300">
                      {f.description}
                    </span>
                  ) : null}
                </td>
                <td className="hidden py-1 pr-3 text-xs sm:table-cell">{f.in}</td>
                <td className="min-w-28 py-1 pr-3 font-mono text-xs break-words">{f.type}</td>
                <td className="py-1 pr-3 text-xs">{f.required ? "yes" : "no"}</td>
                <td className="hidden py-1 text-xs text-slate-600 sm:table-cell dark:text-slate-300">
                  {f.description}
                </td>
              </tr>
            ))}
          </Table>
        </div>
      ) : null}
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">Answers: {op.statuses.join(", ")}</p>
      {/* On a phone the example wraps rather than scrolling sideways; copying it still gives the original lines. */}
      <pre className="mt-2 overflow-x-auto rounded bg-slate-900 p-2 text-xs break-all whitespace-pre-wrap text-slate-100 sm:break-normal sm:whitespace-pre">
        {op.curl}
      </pre>
    </article>
  );
}

/** The API reference: one card per tag, each operation with its scope, inputs and a curl example. */
export function ApiReference({ groups }: { groups: ReferenceGroup[] }) {
  return (
    <div className="space-y-4">
      <nav className="flex flex-wrap gap-2 text-sm">
        {groups.map((g) => (
          <a key={g.tag} href={`#tag-${g.tag}`} className="text-indigo-600 underline dark:text-indigo-400">
            {g.tag}
          </a>
        ))}
      </nav>
      {groups.map((g) => (
        <div key={g.tag} id={`tag-${g.tag}`}>
          <Card title={g.tag}>
            {g.operations.map((op) => (
              <Operation key={op.id} op={op} />
            ))}
          </Card>
        </div>
      ))}
    </div>
  );
}
