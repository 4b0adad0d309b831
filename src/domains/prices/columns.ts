import { priceData } from '../../db/schema';

/** The columns of a candle, for selects that return `Candle`s. */
export const candleColumns = {
  openTime: priceData.openTime,
  open: priceData.open,
  high: priceData.high,
  low: priceData.low,
  close: priceData.close,
  volume: priceData.volume,
};
