// What the staff console and the review inbox share: their API client (same origin, JSON bodies;
// a sign-out or a refusal reloads the page, which then shows the sign-in form) and number formatting.
// Their stylesheet (staff.css) is a file of its own, linked by both pages (built to static/staff/).

export function staffApi(base) {
  return async function api(path, options = {}) {
    const reply = await fetch(`${base}/api${path}`, {
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      ...options,
    });
    if (reply.status === 401 || reply.status === 403) {
      window.location.reload();
      throw new Error("signed out");
    }
    const body = await reply.json();
    if (!reply.ok) {
      const error = new Error(body.problems ? body.problems.join("；") : body.error || String(reply.status));
      error.problems = body.problems;
      throw error;
    }
    return body;
  };
}

export const percent = (value) => (typeof value === "number" ? `${(value * 100).toFixed(1)}%` : "–");
