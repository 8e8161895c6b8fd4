/**
 * Recorded OpenAlgo answers, copied byte for byte from OpenAlgo's documented examples (live brokers: numbers often as
 * strings) and from a real v2.0.2.1 instance in analyzer mode (JSON numbers); docs/openalgo.md describes both. Bodies
 * that were recorded trimmed are closed after their last complete row; nothing inside a row was changed.
 */

// ---- ping / analyzer ----
export const PING_LIVE = `{"status":"success","data":{"broker":"zerodha","message":"pong"}}`;
export const PING_OBSERVED = `{"data":{"broker":"dhan_sandbox","message":"pong"},"status":"success"}`;
export const ANALYZER_ON = `{"data":{"analyze_mode":true,"mode":"analyze","total_logs":71},"status":"success"}`;
export const ANALYZER_OFF = `{"status":"success","data":{"analyze_mode":false,"mode":"live","message":"Analyzer mode switched to live","total_logs":0}}`;

// ---- funds ----
export const FUNDS_LIVE_STRINGS = `{"status":"success","data":{"availablecash":"320.66","collateral":"0.00","m2mrealized":"3.27","m2munrealized":"-7.88","utiliseddebits":"679.34"}}`;
export const FUNDS_SANDBOX_FLOATS = `{"status":"success","mode":"analyze","data":{"availablecash":9995000.0,"collateral":0.0,"m2munrealized":120.5,"m2mrealized":0.0,"total_realized_pnl":0.0,"today_realized_pnl":0.0,"utiliseddebits":5000.0,"grossexposure":5000.0,"totalpnl":120.5,"last_reset":"2026-08-20 00:00:00","reset_count":0}}`;
export const FUNDS_OBSERVED = `{"data":{"availablecash":9968043.31,"collateral":0.0,"grossexposure":31956.69,"last_reset":"2026-11-22 08:35:57","m2mrealized":0.0,"m2munrealized":-27582.85,"reset_count":0,"today_realized_pnl":0.0,"total_realized_pnl":0.0,"totalpnl":-27582.85,"utiliseddebits":31956.69},"mode":"analyze","status":"success"}`;
export const FUNDS_BROKER_FAILURE = `{"status":"success","data":{}}`;

// ---- orderbook / orderstatus ----
export const ORDERBOOK_LIVE = `{"status":"success","data":{"orders":[{"action":"BUY","symbol":"RELIANCE","exchange":"NSE","orderid":"250408000989443","product":"MIS","quantity":"1","price":0.0,"pricetype":"MARKET","order_status":"complete","trigger_price":0.0,"timestamp":"08-Apr-2025 13:58:03"}],
 "statistics":{"total_buy_orders":1,"total_sell_orders":0,"total_completed_orders":1,"total_open_orders":0,"total_rejected_orders":0}}}`;
export const ORDERBOOK_OBSERVED = `{"data":{"orders":[{"action":"BUY","average_price":24522.28,"exchange":"NSE_INDEX","filled_quantity":1,"order_status":"complete","orderid":"26112228560169","pending_quantity":0,"price":24522.28,"pricetype":"MARKET","product":"MIS","quantity":1,"rejection_reason":"","strategy":"probe","symbol":"NIFTY","timestamp":"2026-11-22 09:14:17","trigger_price":0.0},{"action":"SELL","average_price":0.0,"exchange":"NSE","filled_quantity":0,"order_status":"rejected","orderid":"26112272692488","pending_quantity":0,"price":3418.65,"pricetype":"MARKET","product":"CNC","quantity":1,"rejection_reason":"Cannot sell TCS in CNC. No positions or holdings available. CNC (delivery) requires existing shares. Use MIS for intraday short selling.","strategy":"probe","symbol":"TCS","timestamp":"2026-11-22 09:14:16","trigger_price":0.0},{"action":"BUY","average_price":1087.07,"exchange":"NSE","filled_quantity":1,"order_status":"complete","orderid":"26112288792806","pending_quantity":0,"price":0.0,"pricetype":"SL-M","product":"CNC","quantity":1,"rejection_reason":"","strategy":"probe","symbol":"SBIN","timestamp":"2026-11-22 09:14:15","trigger_price":900.0},{"action":"BUY","average_price":812.94,"exchange":"NSE","filled_quantity":1,"order_status":"complete","orderid":"26112257869247","pending_quantity":0,"price":900.0,"pricetype":"LIMIT","product":"CNC","quantity":1,"rejection_reason":"","strategy":"probe","symbol":"SBIN","timestamp":"2026-11-22 09:14:15","trigger_price":0.0}]},"mode":"analyze","status":"success"}`;
export const ORDERSTATUS_LIVE = `{"status":"success","data":{"action":"BUY","average_price":18.95,"exchange":"NSE","order_status":"complete","orderid":"250828000185002","price":0,"pricetype":"MARKET","product":"MIS","quantity":"1","symbol":"YESBANK","timestamp":"28-Aug-2025 09:59:10","trigger_price":0}}`;
export const ORDERSTATUS_OBSERVED_OPEN = `{"data":{"action":"BUY","average_price":0.0,"exchange":"NSE","filled_quantity":0,"order_status":"open","orderid":"26112261512332","pending_quantity":1,"price":500.0,"price_type":"LIMIT","product":"CNC","quantity":1,"strategy":"probe","symbol":"SBIN","timestamp":"2026-11-22 09:14:14","trigger_price":0.0},"mode":"analyze","status":"success"}`;
export const ORDERSTATUS_NOT_FOUND = `{"message":"Order 12345 not found","mode":"analyze","status":"error"}`;

// ---- tradebook / positionbook / holdings ----
export const TRADEBOOK_LIVE = `{"status":"success","data":[{"action":"BUY","symbol":"RELIANCE","exchange":"NSE","orderid":"250408000989443","product":"MIS","quantity":1,"average_price":1180.1,"trade_value":1180.1,"timestamp":"13:58:03"}]}`;
export const TRADEBOOK_OBSERVED = `{"data":[{"action":"BUY","average_price":24522.28,"exchange":"NSE_INDEX","orderid":"26112228560169","price":24522.28,"product":"MIS","quantity":1,"strategy":"probe","symbol":"NIFTY","timestamp":"2026-11-22 09:14:17","trade_value":24522.28,"tradeid":"TRADE-20261122-091417-9a76348b"},{"action":"BUY","average_price":1087.07,"exchange":"NSE","orderid":"26112288792806","price":1087.07,"product":"CNC","quantity":1,"strategy":"probe","symbol":"SBIN","timestamp":"2026-11-22 09:14:16","trade_value":1087.07,"tradeid":"TRADE-20261122-091416-303a10b4"}],"mode":"analyze","status":"success"}`;
export const POSITIONBOOK_LIVE_STRINGS = `{"status":"success","data":[{"symbol":"YESBANK","exchange":"NSE","product":"MIS","quantity":"-104","average_price":"17.2","ltp":"17.31","pnl":"-10.44"}]}`;
export const POSITIONBOOK_OBSERVED = `{"data":[{"average_price":1403.36,"exchange":"NSE","lot_size":1.0,"ltp":325.6,"pnl":-3233.28,"pnlpercent":-76.7985406453084,"product":"CNC","quantity":3,"symbol":"RELIANCE","today_realized_pnl":0.0,"total_pnl_today":-3233.28,"unrealized_pnl":-3233.28},{"average_price":1528.47,"exchange":"NSE","lot_size":1.0,"ltp":788.5,"pnl":-1479.94,"pnlpercent":-48.41246475233403,"product":"MIS","quantity":2,"symbol":"INFY","today_realized_pnl":0.0,"total_pnl_today":-1479.94,"unrealized_pnl":-1479.94}],"mode":"analyze","status":"success","total_pnl":-27582.85,"total_pnl_today":-27582.85,"total_today_realized_pnl":0.0,"total_unrealized_pnl":-27582.85}`;
export const POSITIONBOOK_OBSERVED_CLOSED = `{"data":[{"average_price":0.0,"exchange":"NSE","lot_size":1.0,"ltp":1400.55,"pnl":-8.43,"pnlpercent":0.0,"product":"CNC","quantity":0,"symbol":"RELIANCE","today_realized_pnl":-8.43,"total_pnl_today":-8.43,"unrealized_pnl":-8.43}],"mode":"analyze","status":"success","total_pnl":-282.58,"total_pnl_today":-282.58,"total_today_realized_pnl":-282.58,"total_unrealized_pnl":0.0}`;
export const HOLDINGS_LIVE = `{"status":"success","data":{"holdings":[{"symbol":"RELIANCE","exchange":"NSE","product":"CNC","quantity":1,"pnl":-149.0,"pnlpercent":-11.1}],"statistics":{"totalholdingvalue":1768.0,"totalinvvalue":2001.0,"totalprofitandloss":-233.15,"totalpnlpercentage":-11.65}}}`;
export const HOLDINGS_OBSERVED_EMPTY = `{"data":{"holdings":[],"statistics":{"totalholdingvalue":0.0,"totalinvvalue":0.0,"totalpnlpercentage":0.0,"totalprofitandloss":0.0}},"mode":"analyze","status":"success"}`;

// ---- market data / reference ----
export const QUOTES_LIVE = `{"status":"success","data":{"open":1172.0,"high":1196.6,"low":1163.3,"ltp":1187.75,"ask":1188.0,"bid":1187.85,"prev_close":1165.7,"volume":14414545,"oi":0}}`;
export const QUOTES_OBSERVED = `{"data":{"ask":0,"bid":0,"high":815.21,"low":810.31,"ltp":812.44,"oi":5914,"open":812.2,"prev_close":0,"volume":1000},"status":"success"}`;
export const DEPTH_LIVE = `{"status":"success","data":{"open":760.0,"high":774.0,"low":758.15,"ltp":769.6,"ltq":205,"prev_close":746.9,"volume":9362799,"oi":161265750,"totalbuyqty":591351,"totalsellqty":835701,
 "asks":[{"price":769.6,"quantity":767},{"price":769.65,"quantity":115},{"price":769.7,"quantity":162},{"price":769.75,"quantity":1121},{"price":769.8,"quantity":430}],
 "bids":[{"price":769.4,"quantity":886},{"price":769.35,"quantity":212},{"price":769.3,"quantity":351},{"price":769.25,"quantity":343},{"price":769.2,"quantity":399}]}}`;
export const DEPTH_OBSERVED_PADDED = `{"data":{"asks":[{"price":0,"quantity":0},{"price":0,"quantity":0},{"price":0,"quantity":0},{"price":0,"quantity":0},{"price":0,"quantity":0}],"bids":[{"price":0,"quantity":0},{"price":0,"quantity":0},{"price":0,"quantity":0},{"price":0,"quantity":0},{"price":0,"quantity":0}],"high":815.21,"low":810.31,"ltp":812.44,"ltq":0,"oi":5914,"open":812.2,"prev_close":0,"totalbuyqty":0,"totalsellqty":0,"volume":1000},"status":"success"}`;
export const SYMBOL_FUT_LIVE = `{"status":"success","data":{"id":57900,"symbol":"NIFTY25AUG26FUT","brsymbol":"NIFTY FUT 25 AUG 26","name":"NIFTY","exchange":"NFO","brexchange":"NSE_FO","token":"NSE_FO|49543","expiry":"25-AUG-26","strike":0.0,"lotsize":65,"instrumenttype":"FUT","tick_size":0.05,"freeze_qty":1800}}`;
export const SYMBOL_EQ_OBSERVED = `{"data":{"brexchange":"NSE_EQ","brsymbol":"SBIN","exchange":"NSE","expiry":"-1","freeze_qty":1,"id":1,"instrumenttype":"EQ","lotsize":1,"name":"STATE BANK OF INDIA","strike":null,"symbol":"SBIN","tick_size":5.0,"token":"3045"},"status":"success"}`;
export const SEARCH_OBSERVED = `{"data":[{"brexchange":"NSE_EQ","brsymbol":"SBIN","exchange":"NSE","expiry":"-1","freeze_qty":1,"instrumenttype":"EQ","lotsize":1,"name":"STATE BANK OF INDIA","strike":null,"symbol":"SBIN","tick_size":5.0,"token":"3045"},{"brexchange":"BSE_EQ","brsymbol":"SBIN","exchange":"BSE","expiry":"-1","freeze_qty":1,"instrumenttype":"EQ","lotsize":1,"name":"STATE BANK OF INDIA","strike":null,"symbol":"SBIN","tick_size":5.0,"token":"500112"}],"message":"Found 2 matching symbols","status":"success"}`;
export const SEARCH_OBSERVED_EMPTY = `{"data":[],"message":"No matching symbols found","status":"success"}`;
export const SYMBOL_NOT_FOUND = `{"message":"Symbol NOSUCH not found in exchange NSE","status":"error"}`;
export const EXPIRY_LIVE = `{"status":"success","message":"Found 18 expiry dates for NIFTY options in NFO","data":["28-AUG-25","25-SEP-25","24-DEC-25"]}`;
export const EXPIRY_OBSERVED_EMPTY = `{"data":[],"message":"No expiry dates found for NIFTY options in NFO","status":"success"}`;
export const OPTIONCHAIN_LIVE = `{"status":"success","underlying":"NIFTY","underlying_ltp":24560.15,"underlying_prev_close":24570.65,"expiry_date":"25AUG26","expiry_ts":1787652000,"server_ts":1786356402,"atm_strike":24550.0,"quotes_included":true,"greeks_included":false,"forward_price":null,
 "chain":[{"strike":24550.0,"ce":{"symbol":"NIFTY25AUG2624550CE","label":"ATM","ltp":311.6,"bid":311.1,"ask":312.1,"bid_qty":1500,"ask_qty":2250,"open":330.3,"high":345.9,"low":286.65,"prev_close":324.05,"volume":2841075,"oi":4218300,"lotsize":75,"tick_size":0.05},
  "pe":{"symbol":"NIFTY25AUG2624550PE","label":"ATM","ltp":262.4,"bid":262.0,"ask":262.8,"bid_qty":900,"ask_qty":1200,"open":250.0,"high":280.1,"low":240.2,"prev_close":255.3,"volume":3162450,"oi":5104275,"lotsize":75,"tick_size":0.05}}]}`;
export const OPTIONCHAIN_NOT_FOUND = `{"status": "error", "message": "No strikes found for NIFTY expiring 25DEC26. Please check expiry date or update master contract."}`;

// ---- order writes ----
export const PLACE_LIVE = `{"status":"success","orderid":"250408000989443"}`;
export const PLACE_OBSERVED = `{"mode":"analyze","orderid":"26112228321373","status":"success"}`;
export const PLACE_SEMI_AUTO = `{"status":"success","message":"Order queued for approval in Action Center","mode":"semi_auto","pending_order_id":123}`;
export const PLACE_REJECT_FUNDS = `{"message":"Insufficient funds. Required: \\u20b981294000.00, Available: \\u20b99968043.31, Shortage: \\u20b971325956.69","mode":"analyze","status":"error"}`;
export const PLACE_REJECT_CNC_SELL = `{"message":"Cannot sell TCS in CNC. No positions or holdings available. CNC (delivery) requires existing shares. Use MIS for intraday short selling.","mode":"analyze","orderid":"26112272692488","status":"error"}`;
export const PLACE_REJECT_LOT = `{"status":"error","message":"Quantity must be in multiples of lot size 75"}`;
export const PLACE_MISSING_QTY = `{"message":"{'quantity': ['Missing data for required field.']}","status":"error"}`;
export const PLACE_TWO_FIELDS = `{"message":"{'strategy': ['Missing data for required field.'], 'symbol': ['Missing data for required field.']}","status":"error"}`;
export const PLACE_BAD_EXCHANGE = `{"message":"{'exchange': ['Must be one of: NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX, CRYPTO.']}","status":"error"}`;
export const BASKET_NESTED = `{"message":"{'orders': {0: {'strategy': ['Unknown field.']}}}","mode":"analyze","status":"error"}`;
export const MODIFY_OBSERVED = `{"message":"Order modified successfully","mode":"analyze","orderid":"26112261512332","status":"success"}`;
export const MODIFY_LIVE = `{"status":"success","orderid":"250408001002736"}`;
export const CANCEL_OBSERVED = `{"message":"Order cancelled successfully","mode":"analyze","orderid":"26112261512332","status":"success"}`;
export const CANCEL_COMPLETE = `{"message":"Cannot cancel order in complete status","mode":"analyze","status":"error"}`;

// ---- error bodies ----
export const ERR_INVALID_KEY = `{"message":"Invalid openalgo apikey","status":"error"}`;
export const ERR_SANDBOX_INVALID_KEY = `{"status":"error","message":"Invalid API key"}`;
export const ERR_SEMI_AUTO_BLOCK = `{"status":"error","message":"Modify order is not allowed in Semi-Auto mode"}`;
export const ERR_IP_BANNED = `Access Denied: Your IP has been banned`;
export const ERR_429_API = `{"message": "50 per 1 second"}\n`;
export const ERR_429_ORDER = `{"message": "10 per 1 second"}\n`;
export const ERR_DATA_UNKNOWN_FIELD = `{"message":{"foo":["Unknown field."]},"status":"error"}`;
export const ERR_OPTIONS_VALIDATION = `{"status": "error", "message": "Validation error", "errors": {"expiry_date": ["Missing data for required field."]}}`;
export const ERR_GREEKS_VALIDATION = `{"errors":{"symbol":["Missing data for required field."]},"message":"Validation failed","status":"error"}`;
export const ERR_BAD_JSON = `{"message": "The browser (or proxy) sent a request that this server could not understand."}\n`;
export const ERR_INTERNAL = `{"message": "Internal Server Error"}\n`;
export const ERR_UNEXPECTED = `{"message":"An unexpected error occurred in the API endpoint","status":"error"}`;
export const ERR_UNKNOWN_PATH = `{"message":"Not found","path":"/api/v1/nonexistent","status":"error"}`;

// ---- WebSocket order_update ----
export const WS_UPDATE_OPEN = `{"type": "order_update", "user_id": "peeradmin", "mode": "analyze", "broker": "sandbox", "orderid": "26112261512332", "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1, "price": 500.0, "trigger_price": 0.0, "pricetype": "LIMIT", "product": "CNC", "order_status": "open", "filled_quantity": 0, "pending_quantity": 0, "average_price": 0.0, "rejection_reason": ""}`;
export const WS_UPDATE_COMPLETE = `{"type": "order_update", "user_id": "peeradmin", "mode": "analyze", "broker": "sandbox", "orderid": "26112228321373", "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1, "price": 812.94, "trigger_price": 0.0, "pricetype": "MARKET", "product": "CNC", "order_status": "complete", "filled_quantity": 1, "pending_quantity": 0, "average_price": 812.94, "rejection_reason": ""}`;
export const WS_UPDATE_LIVE = `{"type":"order_update","user_id":"alice","mode":"live","broker":"upstox","orderid":"240221025997024","symbol":"RELIANCE","exchange":"NSE","action":"BUY","quantity":10,"price":1424.0,"trigger_price":0,"pricetype":"LIMIT","product":"MIS","order_status":"complete","filled_quantity":10,"pending_quantity":0,"average_price":1423.85,"rejection_reason":""}`;
