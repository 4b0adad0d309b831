"""Reference run of backtrader (mementum/backtrader 1.9.78.123, pure Python) beside Meridian's engine.

Same strategy, fill rule and commission as `runBacktest` with sma_crossover:
- SMA(fast) crosses SMA(slow) (bt.ind.CrossOver: strictly below on the previous bar, strictly above now);
- the decision at a bar's close fills at the next bar's open (cheat_on_open: the order is placed in
  next_open() of the following bar, so it fills at that open and can be sized from it);
- commission 0.1% of notional per side, no slippage; the buy spends all cash:
  qty = floor8(cash / (open * 1.001)); the sell closes the whole position.

Usage: PYTHONPATH=/path/to/backtrader python3 backtrader_sma.py CSV FROM TO FAST SLOW CASH > out.json
"""
import datetime
import json
import math
import sys

import backtrader as bt

csv_path, start, end, fast, slow, cash = sys.argv[1:7]


def floor8(q):
    return math.floor(q * 1e8 + 1e-6) / 1e8


class SmaCross(bt.Strategy):
    params = dict(fast=int(fast), slow=int(slow))

    def __init__(self):
        self.cross = bt.ind.CrossOver(bt.ind.SMA(period=self.p.fast), bt.ind.SMA(period=self.p.slow))
        self.signal = 0
        self.fills = []

    def next(self):
        self.signal = int(self.cross[0])

    def next_open(self):
        if self.signal > 0 and not self.position:
            price = self.data.open[0]
            self.buy(size=floor8(self.broker.getcash() / (price * 1.001)))
        elif self.signal < 0 and self.position:
            self.close()
        self.signal = 0

    def notify_order(self, order):
        if order.status == order.Completed:
            self.fills.append({
                'time': bt.num2date(order.executed.dt).strftime('%Y-%m-%d'),
                'side': 'buy' if order.isbuy() else 'sell',
                'qty': abs(order.executed.size),
                'price': order.executed.price,
                'fee': order.executed.comm,
            })


data = bt.feeds.GenericCSVData(
    dataname=csv_path,
    dtformat=lambda s: datetime.datetime.strptime(s[:10], '%Y-%m-%d'),
    fromdate=datetime.datetime.fromisoformat(start),
    # Daily bars are stamped at the session's end (23:59:59.999999): the last day needs the whole day.
    todate=datetime.datetime.fromisoformat(end) + datetime.timedelta(days=1, microseconds=-1),
    datetime=0, open=1, high=2, low=3, close=4, volume=5, openinterest=-1,
)
cerebro = bt.Cerebro(cheat_on_open=True, stdstats=False)
cerebro.adddata(data)
cerebro.addstrategy(SmaCross)
cerebro.broker.setcash(float(cash))
cerebro.broker.set_coc(False)
cerebro.broker.setcommission(commission=0.001)
strat = cerebro.run()[0]
print(json.dumps({
    'engine': 'backtrader ' + bt.__version__,
    'range': [start, end], 'fast': int(fast), 'slow': int(slow), 'cash': float(cash),
    'fills': strat.fills,
    'finalEquity': cerebro.broker.getvalue(),
}, indent=1))
