// Saving a Blob as a file in the user's downloads.

export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the URL by the time the next task runs; give it a moment.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
