/** A trade's return after paying `fee` of equity on entry and on exit. */
export function simulateTradeFee(grossReturn: number, fee: number): number {
  return (1 - fee) * (1 + grossReturn) * (1 - fee) - 1;
}
