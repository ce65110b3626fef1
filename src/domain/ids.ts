/** Whether a number can be a row id (ids are PostgreSQL `integer`s); anything else names no row. */
export function isStoredId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 1 && id <= 2_147_483_647;
}
