// Small DOM helpers the page's modules share. Text always goes in as
// textContent, never as HTML.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element with a class and, optionally, its text. */
export function element(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}
