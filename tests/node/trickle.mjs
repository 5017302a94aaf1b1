// Where the tests find trickle: TRICKLE_URL, which .ci/node-clients sets to
// the server it started (e.g. http://127.0.0.1:8080).
export const base = process.env.TRICKLE_URL;
if (!base) {
  throw new Error('set TRICKLE_URL to a running trickle, e.g. http://127.0.0.1:8080');
}
