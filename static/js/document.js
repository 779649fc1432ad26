// The Print button of a printed document (no inline scripts: the CSP allows only files from /static).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
