// A problem with the data, worded for the user (data.js and data-cache.js throw it; the
// controller shows its message as it is).
export class DataError extends Error {}
