// trickle's chat page starts here. This classic, deferred script loads the
// page's ES modules (main.js and what it imports), so that a module that
// fails to load or parse is said on the page, not only in the console.
"use strict";

import("./main.js").catch((error) => {
  const note = document.createElement("p");
  note.className = "stats error";
  note.setAttribute("role", "alert");
  note.textContent = `The page's scripts failed to load: ${error.message}`;
  document.querySelector("main").prepend(note);
});
