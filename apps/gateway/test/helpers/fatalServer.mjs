// A stdio server that fails as a misconfigured one does: it prints why on stderr (and, as a
// careless one might, its API key) and exits 3 before speaking MCP.
console.error(`starting with key ${process.env.EXAMPLE_API_KEY ?? '(none)'}`);
console.error('FATAL: GITHUB_TOKEN is not set');
process.exit(3);
