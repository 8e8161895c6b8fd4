import path from "node:path";
import { ESLint } from "eslint";

const root = path.resolve(import.meta.dirname, "../..");
let eslint: ESLint | undefined;

/**
 * Lints `code` as if it were the file at `file` (repo-relative; the file need not exist) with the project's own
 * eslint.config.mjs, and returns the ids of the rules it broke. Lint tests use it to prove each architecture rule
 * with a deliberately bad import.
 */
export async function lintAs(file: string, code: string): Promise<string[]> {
  eslint ??= new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => m.ruleId ?? "fatal");
}
