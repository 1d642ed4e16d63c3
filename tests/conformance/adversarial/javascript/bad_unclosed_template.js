// The reference rejects this file: the template's ${ is never closed.
const ok = "`${";
const t = `value ${ ok + 1 `;
