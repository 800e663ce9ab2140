/* validate.c — acceptance checks C1–C14 and the record-level V-checks of
 * order-mapping.md section 10 (see validate.h).
 *
 * One pass over the header and one over the lines; the only allocation
 * besides the problems themselves is a sorted index of line numbers for
 * V14, so validating an order of n lines costs O(n log n).  Arithmetic on
 * quantities, prices and amounts uses decimal.h only (never float).
 *
 * Ownership: the order and the policy are borrowed; every string of a
 * problem is malloc'ed and owned by struct problems.  Failure: a bad policy
 * is -1; a bad order is never an error, it is problems. */
#include "validate.h"
#include "codes.h"
#include "decimal.h"
#include "limits.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- policy ---------------------------------------------------------------- */

/* C1..C14 are bits 0..13, V1..V18 bits 20..37. */
static int check_bit(const char *id, size_t n)
{
	if (n < 2 || n > 3 || (id[0] != 'C' && id[0] != 'V'))
		return -1;
	int num = 0;
	for (size_t i = 1; i < n; i++) {
		if (id[i] < '0' || id[i] > '9')
			return -1;
		num = num * 10 + (id[i] - '0');
	}
	if (id[1] == '0' || num < 1 || num > (id[0] == 'C' ? 14 : 18))
		return -1;
	return id[0] == 'C' ? num - 1 : 20 + num - 1;
}

static int parse_blocking(const char *ids, uint64_t *mask_r, const char **error_r)
{
	uint64_t mask = 0;
	const char *s = ids;
	while (*s != '\0') {
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		size_t n = strcspn(s, " ,\t");
		if (n == 0)
			break;
		int bit = check_bit(s, n);
		if (bit < 0) {
			*error_r = "unknown check id (expected C1-C14 or V1-V18)";
			return -1;
		}
		mask |= (uint64_t)1 << bit;
		s += n;
	}
	*mask_r = mask;
	return 0;
}

void validate_policy_init(struct validate_policy *p, const char *today)
{
	const char *err;
	memset(p, 0, sizeof(*p));
	p->today = today;
	parse_blocking(VALIDATE_DEFAULT_BLOCKING, &p->blocking, &err);
	p->max_order_age_days = 90;
	p->amount_tolerance = "0.01";
}

int validate_policy_set_blocking(struct validate_policy *p, const char *ids, const char **error_r)
{
	return parse_blocking(ids ? ids : "", &p->blocking, error_r);
}

bool validate_policy_blocks(const struct validate_policy *p, const char *check)
{
	int bit = check ? check_bit(check, strlen(check)) : -1;
	return bit >= 0 && (p->blocking >> bit & 1u);
}

/* ---- messages ---------------------------------------------------------------- */

enum { LOC_EN, LOC_HANS, LOC_HANT, N_LOCALES };

struct message {
	const char *key;
	const char *text[N_LOCALES];
};

/* Sorted by key (byte order) for bsearch; the unit test renders every key
 * in every locale, so an entry out of place fails the test. */
static const struct message messages[] = {
	{ "bad_country",
	  { "{subject} has an unknown country code: {value}.",
	    "{subject}中的国家代码无法识别：{value}。",
	    "{subject}中的國家代碼無法識別：{value}。" } },
	{ "bad_currency",
	  { "{value} is not a valid currency code.",
	    "{value} 不是有效的币种代码。",
	    "{value} 不是有效的幣別代碼。" } },
	{ "bad_date",
	  { "{subject} \"{value}\" is not a valid date.",
	    "{subject}“{value}”不是有效的日期。",
	    "{subject}「{value}」不是有效的日期。" } },
	{ "bad_gln",
	  { "{subject} has a location number (GLN) {value} with a wrong check digit.",
	    "{subject}的全球位置码（GLN）{value} 校验位错误。",
	    "{subject}的全球位置碼（GLN）{value} 檢查碼錯誤。" } },
	{ "bad_gtin",
	  { "{line} has a barcode (GTIN) {value} with a wrong check digit.",
	    "{line}的条码（GTIN）{value} 校验位错误。",
	    "{line}的條碼（GTIN）{value} 檢查碼錯誤。" } },
	{ "bad_line_amount",
	  { "{line} has an amount that is not a number: {value}.",
	    "{line}的金额不是有效数字：{value}。",
	    "{line}的金額不是有效數字：{value}。" } },
	{ "bad_price",
	  { "{line} has a price that is not a number: {value}.",
	    "{line}的单价不是有效数字：{value}。",
	    "{line}的單價不是有效數字：{value}。" } },
	{ "bad_price_basis",
	  { "{line} gives its price per {value} units, which is not a positive number.",
	    "{line}的价格基数（每 {value} 个单位）不是正数。",
	    "{line}的價格基數（每 {value} 個單位）不是正數。" } },
	{ "bad_quantity",
	  { "{line} has a quantity that is not a number: {value}.",
	    "{line}的数量不是有效数字：{value}。",
	    "{line}的數量不是有效數字：{value}。" } },
	{ "bad_total",
	  { "The order total is not a number: {value}.",
	    "订单总金额不是有效数字：{value}。",
	    "訂單總金額不是有效數字：{value}。" } },
	{ "bad_transport_mode",
	  { "The transport mode {value} is not a known code.",
	    "运输方式代码 {value} 无法识别。",
	    "運輸方式代碼 {value} 無法識別。" } },
	{ "country_alpha3",
	  { "{subject} uses the three-letter country code {value}; the two-letter code is {value2}.",
	    "{subject}使用了三位字母国家代码 {value}，对应的两位字母代码是 {value2}。",
	    "{subject}使用了三位字母國家代碼 {value}，對應的兩位字母代碼是 {value2}。" } },
	{ "currency_not_allowed",
	  { "The currency {value} has not been agreed with this customer.",
	    "币种 {value} 未与该客户约定。",
	    "幣別 {value} 未與該客戶約定。" } },
	{ "currency_not_trade",
	  { "{value} is not a currency used for trade (it is a metal, accounting or test code).",
	    "{value} 不是用于贸易结算的货币（它是贵金属、记账单位或测试代码）。",
	    "{value} 不是用於貿易結算的貨幣（它是貴金屬、記帳單位或測試代碼）。" } },
	{ "currency_withdrawn",
	  { "The currency {value} has been withdrawn; it was replaced by {value2}.",
	    "币种 {value} 已停止使用，已由 {value2} 取代。",
	    "幣別 {value} 已停止使用，已由 {value2} 取代。" } },
	{ "customer_not_identified",
	  { "We could not match the buyer to one of our customers.",
	    "无法将买方对应到我们的任何一个客户。",
	    "無法將買方對應到我們的任何一個客戶。" } },
	{ "date_in_past",
	  { "{subject} {value} is in the past.",
	    "{subject}（{value}）已经过去。",
	    "{subject}（{value}）已經過去。" } },
	{ "date_too_soon",
	  { "{subject} {value} is sooner than we can deliver; the earliest possible date is {value2}.",
	    "{subject}（{value}）早于我们最早可以交货的日期 {value2}。",
	    "{subject}（{value}）早於我們最早可以交貨的日期 {value2}。" } },
	{ "delivery_before_order",
	  { "{subject} {value} is before the order date ({value2}).",
	    "{subject}（{value}）早于下单日期（{value2}）。",
	    "{subject}（{value}）早於下單日期（{value2}）。" } },
	{ "duplicate_line_no",
	  { "Line number {value} appears more than once.",
	    "行号 {value} 重复出现。",
	    "行號 {value} 重複出現。" } },
	{ "duplicate_po",
	  { "An order with the number {value} from this customer already exists.",
	    "该客户订单号为 {value} 的订单已经存在。",
	    "該客戶訂單號碼為 {value} 的訂單已經存在。" } },
	{ "line_amount_mismatch",
	  { "{line} has an amount of {value}, but quantity times price gives {value2}.",
	    "{line}的金额为 {value}，但数量乘以单价为 {value2}。",
	    "{line}的金額為 {value}，但數量乘以單價為 {value2}。" } },
	{ "line_label",
	  { "Line {no}",
	    "第 {no} 行",
	    "第 {no} 行" } },
	{ "line_label_item",
	  { "Line {no} (item {item})",
	    "第 {no} 行（物料 {item}）",
	    "第 {no} 行（料號 {item}）" } },
	{ "line_missing_delivery_date",
	  { "{line} has no delivery date.",
	    "{line}没有交货日期。",
	    "{line}沒有交貨日期。" } },
	{ "missing_bill_to",
	  { "The order does not say who is to be invoiced.",
	    "订单中没有写明发票开给谁。",
	    "訂單中沒有寫明發票開給誰。" } },
	{ "missing_buyer",
	  { "The order does not say who the customer is.",
	    "订单中没有写明客户是谁。",
	    "訂單中沒有寫明客戶是誰。" } },
	{ "missing_contact",
	  { "The order names no contact person with an e-mail address or phone number.",
	    "订单没有写明联系人及其电子邮件或电话。",
	    "訂單沒有寫明聯絡人及其電子郵件或電話。" } },
	{ "missing_currency",
	  { "The order does not say which currency the prices are in.",
	    "订单没有写明价格使用的币种。",
	    "訂單沒有寫明價格使用的幣別。" } },
	{ "missing_delivery_date",
	  { "The order has no delivery date or ship date.",
	    "订单没有交货日期或发货日期。",
	    "訂單沒有交貨日期或出貨日期。" } },
	{ "missing_incoterms",
	  { "The order has no delivery term (an Incoterm such as FOB or CIF).",
	    "订单没有贸易术语（如 FOB、CIF 等国际贸易术语）。",
	    "訂單沒有貿易條件（如 FOB、CIF 等國貿條規）。" } },
	{ "missing_incoterms_place",
	  { "The delivery term {value} has no named place (for example \"{value} Shanghai\").",
	    "贸易术语 {value} 没有指定地点（例如“{value} 上海”）。",
	    "貿易條件 {value} 沒有指定地點（例如「{value} 上海」）。" } },
	{ "missing_item_id",
	  { "{line} does not say which product is meant (no item number or barcode).",
	    "{line}没有写明是哪种产品（缺少物料编号或条码）。",
	    "{line}沒有寫明是哪種產品（缺少料號或條碼）。" } },
	{ "missing_order_date",
	  { "The order has no order date.",
	    "订单没有下单日期。",
	    "訂單沒有下單日期。" } },
	{ "missing_payment_terms",
	  { "The order has no payment terms.",
	    "订单没有付款条件。",
	    "訂單沒有付款條件。" } },
	{ "missing_po_number",
	  { "The order has no order number.",
	    "订单没有订单号。",
	    "訂單沒有訂單號碼。" } },
	{ "missing_port_of_discharge",
	  { "The delivery term {value} needs a port of discharge, but the order names none.",
	    "贸易术语 {value} 需要卸货港，但订单中没有写明。",
	    "貿易條件 {value} 需要卸貨港，但訂單中沒有寫明。" } },
	{ "missing_port_of_loading",
	  { "The delivery term {value} needs a port of loading, but the order names none.",
	    "贸易术语 {value} 需要装货港，但订单中没有写明。",
	    "貿易條件 {value} 需要裝貨港，但訂單中沒有寫明。" } },
	{ "missing_price",
	  { "{line} has no price.",
	    "{line}没有单价。",
	    "{line}沒有單價。" } },
	{ "missing_quantity",
	  { "{line} has no quantity.",
	    "{line}没有数量。",
	    "{line}沒有數量。" } },
	{ "missing_ship_to",
	  { "The order has no delivery address.",
	    "订单没有收货地址。",
	    "訂單沒有收貨地址。" } },
	{ "missing_ship_to_country",
	  { "The delivery address has no country.",
	    "收货地址缺少国家。",
	    "收貨地址缺少國家。" } },
	{ "missing_unit",
	  { "{line} has no unit of measure.",
	    "{line}没有计量单位。",
	    "{line}沒有計量單位。" } },
	{ "mode_air",
	  { "air",
	    "航空",
	    "航空" } },
	{ "mode_road",
	  { "road",
	    "公路",
	    "公路" } },
	{ "negative_price",
	  { "{line} has a negative price: {value}.",
	    "{line}的单价为负数：{value}。",
	    "{line}的單價為負數：{value}。" } },
	{ "no_lines",
	  { "The order has no items.",
	    "订单中没有任何商品。",
	    "訂單中沒有任何商品。" } },
	{ "non_binding",
	  { "The sender marked this order as a copy or proposal; it is not a binding order.",
	    "发送方将此订单标记为副本或提案，不是正式订单。",
	    "發送方將此訂單標記為副本或提案，不是正式訂單。" } },
	{ "obsolete_incoterms",
	  { "The delivery term {value} no longer exists in Incoterms 2020; the closest current term is {value2}.",
	    "贸易术语 {value} 在 2020 年版国际贸易术语中已不再使用，最接近的现行术语是 {value2}。",
	    "貿易條件 {value} 在 2020 年版國貿條規中已不再使用，最接近的現行條件是 {value2}。" } },
	{ "order_date_future",
	  { "The order date {value} is in the future.",
	    "下单日期 {value} 晚于今天。",
	    "下單日期 {value} 晚於今天。" } },
	{ "order_too_old",
	  { "The order date {value} is more than {value2} days ago.",
	    "下单日期 {value} 距今已超过 {value2} 天。",
	    "下單日期 {value} 距今已超過 {value2} 天。" } },
	{ "quantity_not_positive",
	  { "{line} has a quantity of {value}; it must be more than zero.",
	    "{line}的数量为 {value}，必须大于零。",
	    "{line}的數量為 {value}，必須大於零。" } },
	{ "sea_term_wrong_mode",
	  { "The delivery term {value} is only for sea and inland waterway transport, but the order asks for {subject} transport; FCA, CPT or CIP would fit.",
	    "贸易术语 {value} 仅适用于海运和内河运输，但订单要求{subject}运输；FCA、CPT 或 CIP 更合适。",
	    "貿易條件 {value} 僅適用於海運和內河運輸，但訂單要求{subject}運輸；FCA、CPT 或 CIP 較為合適。" } },
	{ "ship_after_delivery",
	  { "{subject} {value} is after the date the goods are due to arrive ({value2}).",
	    "{subject}（{value}）晚于要求到货日期（{value2}）。",
	    "{subject}（{value}）晚於要求到貨日期（{value2}）。" } },
	{ "ship_to_missing_city",
	  { "The delivery address has no city.",
	    "收货地址缺少城市。",
	    "收貨地址缺少城市。" } },
	{ "ship_to_missing_name",
	  { "The delivery address has no company or person name.",
	    "收货地址缺少公司或收货人名称。",
	    "收貨地址缺少公司或收貨人名稱。" } },
	{ "ship_to_missing_postal_code",
	  { "The delivery address has no postal code.",
	    "收货地址缺少邮政编码。",
	    "收貨地址缺少郵遞區號。" } },
	{ "ship_to_missing_street",
	  { "The delivery address has no street.",
	    "收货地址缺少街道地址。",
	    "收貨地址缺少街道地址。" } },
	{ "subj_addr_bill_to",
	  { "The invoice address",
	    "发票地址",
	    "發票地址" } },
	{ "subj_addr_buyer",
	  { "The customer's address",
	    "客户地址",
	    "客戶地址" } },
	{ "subj_addr_seller",
	  { "The seller's address",
	    "卖方地址",
	    "賣方地址" } },
	{ "subj_addr_ship_to",
	  { "The delivery address",
	    "收货地址",
	    "收貨地址" } },
	{ "subj_line_delivery_date",
	  { "The delivery date of {line}",
	    "{line}的交货日期",
	    "{line}的交貨日期" } },
	{ "subj_line_ship_by_date",
	  { "The ship-by date of {line}",
	    "{line}的最迟发货日期",
	    "{line}的最遲出貨日期" } },
	{ "subj_order_date",
	  { "The order date",
	    "下单日期",
	    "下單日期" } },
	{ "subj_party_bill_to",
	  { "The invoice party",
	    "收票方",
	    "收票方" } },
	{ "subj_party_buyer",
	  { "The customer",
	    "客户",
	    "客戶" } },
	{ "subj_party_seller",
	  { "The seller",
	    "卖方",
	    "賣方" } },
	{ "subj_party_ship_to",
	  { "The delivery party",
	    "收货方",
	    "收貨方" } },
	{ "subj_requested_delivery_date",
	  { "The requested delivery date",
	    "要求交货日期",
	    "要求交貨日期" } },
	{ "subj_ship_by_date",
	  { "The ship-by date",
	    "最迟发货日期",
	    "最遲出貨日期" } },
	{ "subj_window_earliest",
	  { "The earliest delivery date",
	    "最早交货日期",
	    "最早交貨日期" } },
	{ "subj_window_latest",
	  { "The latest delivery date",
	    "最晚交货日期",
	    "最晚交貨日期" } },
	{ "test_order",
	  { "This is a test order; it will not go to production.",
	    "这是一张测试订单，不会进入生产。",
	    "這是一張測試訂單，不會進入生產。" } },
	{ "total_mismatch",
	  { "The order total is {value}, but the lines add up to {value2}.",
	    "订单总金额为 {value}，但各行合计为 {value2}。",
	    "訂單總金額為 {value}，但各行合計為 {value2}。" } },
	{ "unknown_buyer_id",
	  { "The customer number {value} does not match any account we have for this customer.",
	    "客户编号 {value} 与我们为该客户建立的任何账户都不匹配。",
	    "客戶編號 {value} 與我們為該客戶建立的任何帳戶都不符。" } },
	{ "unknown_incoterms",
	  { "{value} is not an Incoterms 2020 delivery term.",
	    "{value} 不是 2020 年版国际贸易术语中的术语。",
	    "{value} 不是 2020 年版國貿條規中的條件。" } },
	{ "unknown_unit",
	  { "{line} has a unit we do not recognise: {value}.",
	    "{line}的计量单位无法识别：{value}。",
	    "{line}的計量單位無法識別：{value}。" } },
	{ "window_reversed",
	  { "The delivery window ends ({value2}) before it starts ({value}).",
	    "交货期的结束日期（{value2}）早于开始日期（{value}）。",
	    "交貨期間的結束日期（{value2}）早於開始日期（{value}）。" } },
};

static int locale_index(const char *locale)
{
	if (locale == NULL || strncmp(locale, "zh", 2) != 0 || (locale[2] != '\0' && locale[2] != '-' && locale[2] != '_'))
		return LOC_EN;
	const char *r = locale + 2 + (locale[2] != '\0');
	if (strcmp(r, "Hant") == 0 || strncmp(r, "Hant-", 5) == 0 || strcmp(r, "TW") == 0 ||
	    strcmp(r, "HK") == 0 || strcmp(r, "MO") == 0)
		return LOC_HANT;
	return LOC_HANS;
}

static int cmp_message(const void *key, const void *row)
{
	return strcmp((const char *)key, ((const struct message *)row)->key);
}

static const struct message *find_message(const char *key)
{
	if (key == NULL)
		return NULL;
	return bsearch(key, messages, sizeof(messages) / sizeof(messages[0]),
		       sizeof(messages[0]), cmp_message);
}

const char *validate_message(const char *key, const char *locale)
{
	const struct message *m = find_message(key);
	if (m == NULL)
		return NULL;
	const char *t = m->text[locale_index(locale)];
	return t ? t : m->text[LOC_EN];
}

/* Expand {line} {subject} {value} {value2} ({no} {item} inside line
 * labels).  depth stops a subject from expanding subjects forever. */
static int render(struct buf *out, const char *tmpl, const struct problem_args *a,
		  int loc, int depth)
{
	int r = 0;
	for (const char *s = tmpl; *s != '\0' && r == 0; ) {
		const char *open = strchr(s, '{');
		if (open == NULL)
			return buf_adds(out, s);
		r |= buf_add(out, s, (size_t)(open - s));
		const char *close = strchr(open, '}');
		if (close == NULL)
			return r | buf_adds(out, open);
		size_t n = (size_t)(close - open - 1);
		const char *name = open + 1;
#define IS(w) (n == sizeof(w) - 1 && memcmp(name, w, n) == 0)
		if (IS("value")) {
			r |= buf_adds(out, a->value ? a->value : "");
		} else if (IS("value2")) {
			r |= buf_adds(out, a->value2 ? a->value2 : "");
		} else if (IS("no")) {
			r |= buf_adds(out, a->line_no ? a->line_no : "?");
		} else if (IS("item")) {
			r |= buf_adds(out, a->item ? a->item : "");
		} else if (IS("line") && depth < 2) {
			const struct message *m = find_message(a->item ? "line_label_item" : "line_label");
			r |= render(out, m->text[loc] ? m->text[loc] : m->text[LOC_EN], a, loc, depth + 1);
		} else if (IS("subject") && depth < 1) {
			const struct message *m = find_message(a->subject);
			if (m != NULL)
				r |= render(out, m->text[loc] ? m->text[loc] : m->text[LOC_EN], a, loc, depth + 1);
			else
				r |= buf_adds(out, a->subject ? a->subject : "");
		} else {
			r |= buf_add(out, open, n + 2);
		}
#undef IS
		s = close + 1;
	}
	return r ? -1 : 0;
}

int problem_render(const struct problem *pr, const char *locale, struct buf *out)
{
	struct problem_args a = { pr->line_no, pr->item, pr->subject, pr->value, pr->value2 };
	const struct message *m = find_message(pr->key);
	if (m == NULL)
		return buf_adds(out, pr->message);
	int loc = locale_index(locale);
	return render(out, m->text[loc] ? m->text[loc] : m->text[LOC_EN], &a, loc, 0);
}

/* ---- problems ---------------------------------------------------------------- */

void problems_init(struct problems *ps)
{
	memset(ps, 0, sizeof(*ps));
}

static void problem_clear(struct problem *pr)
{
	free(pr->field);
	free(pr->key);
	free(pr->message);
	free(pr->line_no);
	free(pr->item);
	free(pr->subject);
	free(pr->value);
	free(pr->value2);
}

void problems_free(struct problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		problem_clear(&ps->items[i]);
	free(ps->items);
	problems_init(ps);
}

static char *dup_or_null(const char *s)
{
	if (s == NULL)
		return NULL;
	char *p = strdup(s);
	if (p == NULL)
		fatal("out of memory");
	return p;
}

static void update_status(struct problems *ps)
{
	ps->status = ps->n_blocking_v ? VALIDATE_INVALID
		   : ps->n_blocking_c ? VALIDATE_INCOMPLETE : VALIDATE_COMPLETE;
}

int problems_add(struct problems *ps, const char *check, enum problem_severity sev,
		 const char *field, const char *key, const struct problem_args *args)
{
	static const struct problem_args none;
	const struct problem_args *a = args ? args : &none;
	if (sev == PROBLEM_BLOCKING) {
		if (check != NULL && check[0] == 'C')
			ps->n_blocking_c++;
		else
			ps->n_blocking_v++;
		update_status(ps);
	}
	if (ps->n >= OG_MAX_PROBLEMS) {
		ps->dropped++;
		return 0;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct problem *p = realloc(ps->items, cap * sizeof(*p));
		if (p == NULL)
			fatal("out of memory");
		ps->items = p;
		ps->cap = cap;
	}
	struct problem *pr = &ps->items[ps->n++];
	memset(pr, 0, sizeof(*pr));
	snprintf(pr->check, sizeof(pr->check), "%s", check ? check : "");
	pr->severity = sev;
	pr->field = dup_or_null(field ? field : "");
	pr->key = dup_or_null(key ? key : "");
	pr->line_no = dup_or_null(a->line_no);
	pr->item = dup_or_null(a->item);
	pr->subject = dup_or_null(a->subject);
	pr->value = dup_or_null(a->value);
	pr->value2 = dup_or_null(a->value2);
	if (find_message(pr->key) != NULL) {
		struct buf b;
		buf_init(&b, 4 * OG_MAX_FIELD_BYTES);
		if (problem_render(pr, "en", &b) < 0 || b.data == NULL)
			pr->message = dup_or_null(pr->key);
		else
			pr->message = buf_steal(&b, NULL);
		buf_free(&b);
	} else {
		pr->message = dup_or_null(a->value ? a->value : pr->key);
	}
	return 0;
}

const char *validate_status_name(enum validate_status st)
{
	switch (st) {
	case VALIDATE_COMPLETE: return "complete";
	case VALIDATE_INCOMPLETE: return "incomplete";
	case VALIDATE_INVALID: return "invalid";
	}
	return "invalid";
}

int problems_to_json(const struct problems *ps, const char *locale, struct buf *out)
{
	int r = buf_addc(out, '[');
	bool en = locale_index(locale) == LOC_EN;
	struct buf msg;
	buf_init(&msg, 4 * OG_MAX_FIELD_BYTES);
	for (size_t i = 0; i < ps->n && r == 0; i++) {
		const struct problem *pr = &ps->items[i];
		r |= buf_adds(out, i ? ",{\"check\":" : "{\"check\":");
		r |= buf_add_json_str(out, pr->check);
		r |= buf_adds(out, ",\"field\":");
		r |= buf_add_json_str(out, pr->field);
		r |= buf_adds(out, pr->severity == PROBLEM_BLOCKING ? ",\"severity\":\"blocking\",\"key\":"
								    : ",\"severity\":\"warning\",\"key\":");
		r |= buf_add_json_str(out, pr->key);
		r |= buf_adds(out, ",\"message\":");
		if (en) {
			r |= buf_add_json_str(out, pr->message);
		} else {
			buf_reset(&msg);
			if (problem_render(pr, locale, &msg) < 0 || msg.data == NULL)
				r |= buf_add_json_str(out, pr->message);
			else
				r |= buf_add_json_str(out, msg.data);
		}
		r |= buf_addc(out, '}');
	}
	buf_free(&msg);
	r |= buf_addc(out, ']');
	return r ? -1 : 0;
}

/* ---- the checks ----------------------------------------------------------------- */

struct vctx {
	const struct order *o;
	const struct validate_policy *p;
	struct problems *out;
	long today;               /* days since 1970 */
	long earliest;            /* today + lead time */
	char earliest_s[11];
	struct dec tol;
};

static void add(struct vctx *c, const char *check, const char *field, const char *key,
		const struct problem_args *a)
{
	problems_add(c->out, check,
		     validate_policy_blocks(c->p, check) ? PROBLEM_BLOCKING : PROBLEM_WARNING,
		     field, key, a);
}

/* The line's number as sent, else its position (1-based), into buf. */
static const char *line_no(const struct order_line *l, size_t i, char buf[24])
{
	if (l->line_no != NULL)
		return l->line_no;
	snprintf(buf, 24, "%zu", i + 1);
	return buf;
}

static const char *line_item(const struct order_line *l)
{
	return l->seller_item_id ? l->seller_item_id : l->buyer_item_id ? l->buyer_item_id
	     : l->gtin ? l->gtin : l->manufacturer_part_no;
}

/* A problem on line i: field is "lines[i].<what>". */
static void add_line(struct vctx *c, const char *check, size_t i, const char *what,
		     const char *key, const char *subject, const char *value, const char *value2)
{
	const struct order_line *l = &c->o->lines[i];
	char field[64], no[24];
	snprintf(field, sizeof(field), "lines[%zu].%s", i, what);
	struct problem_args a = { line_no(l, i, no), line_item(l), subject, value, value2 };
	add(c, check, field, key, &a);
}

static void add_v(struct vctx *c, const char *check, const char *field, const char *key,
		  const char *subject, const char *value, const char *value2)
{
	struct problem_args a = { NULL, NULL, subject, value, value2 };
	add(c, check, field, key, &a);
}

static bool has(const char *s)
{
	return s != NULL && *s != '\0';
}

/* --- C1 customer --- */

static bool buyer_id_known(const struct validate_policy *p, const struct party *b, bool *any_r)
{
	*any_r = false;
	for (size_t i = 0; i < b->n_ids; i++) {
		if (!has(b->ids[i].value))
			continue;
		*any_r = true;
		for (size_t k = 0; k < p->n_customer_ids; k++)
			if (p->customer_ids[k] && strcmp(p->customer_ids[k], b->ids[i].value) == 0)
				return true;
	}
	return false;
}

static void check_customer(struct vctx *c)
{
	const struct party *b = c->o->parties[ROLE_BUYER];
	if (b == NULL || (!has(b->name) && b->n_ids == 0)) {
		add_v(c, "C1", "parties.buyer", "missing_buyer", NULL, NULL, NULL);
		return;
	}
	bool any_id;
	bool known = buyer_id_known(c->p, b, &any_id);
	if (!known && any_id && c->p->n_customer_ids > 0) {
		size_t k = 0;
		while (!has(b->ids[k].value))
			k++;
		char field[48];
		snprintf(field, sizeof(field), "parties.buyer.ids[%zu].value", k);
		add_v(c, "C1", field, "unknown_buyer_id", NULL, b->ids[k].value, NULL);
		return;
	}
	if (known || c->p->partner_known || has(c->o->partner_id))
		return;
	add_v(c, "C1", "parties.buyer", "customer_not_identified", NULL, NULL, NULL);
}

/* --- C2, C3 ship-to; C4 bill-to --- */

static void check_ship_to(struct vctx *c)
{
	const struct party *s = c->o->parties[ROLE_SHIP_TO];
	if (s == NULL) {
		add_v(c, "C2", "parties.ship_to", "missing_ship_to", NULL, NULL, NULL);
		return;
	}
	if (!has(s->country))
		add_v(c, "C3", "parties.ship_to.address.country", "missing_ship_to_country", NULL, NULL, NULL);
	if (s->n_ids > 0)
		return;   /* a known location: the master data completes it */
	if (!has(s->name))
		add_v(c, "C2", "parties.ship_to.name", "ship_to_missing_name", NULL, NULL, NULL);
	if (s->n_address_lines == 0)
		add_v(c, "C2", "parties.ship_to.address.lines", "ship_to_missing_street", NULL, NULL, NULL);
	if (!has(s->city))
		add_v(c, "C2", "parties.ship_to.address.city", "ship_to_missing_city", NULL, NULL, NULL);
	if (!has(s->postal_code) && has(s->country) && codes_country_has_postal_codes(s->country))
		add_v(c, "C2", "parties.ship_to.address.postal_code", "ship_to_missing_postal_code",
		      NULL, NULL, NULL);
}

static void check_bill_to(struct vctx *c)
{
	if (c->o->parties[ROLE_BILL_TO] != NULL)
		return;
	if (c->p->bill_to_from_master)
		c->out->flags |= PROBLEMS_BILL_TO_DEFAULTED;
	else
		add_v(c, "C4", "parties.bill_to", "missing_bill_to", NULL, NULL, NULL);
}

/* --- C8, V4 currency --- */

static void check_currency(struct vctx *c)
{
	const char *cur = c->o->currency;
	if (!has(cur)) {
		if (has(c->p->default_currency))
			c->out->flags |= PROBLEMS_CURRENCY_DEFAULTED;
		else
			add_v(c, "C8", "currency", "missing_currency", NULL, NULL, NULL);
		return;
	}
	const struct currency *k = codes_currency(cur);
	const char *by = codes_currency_replaced(cur);
	if (k == NULL && by != NULL) {
		add_v(c, "V4", "currency", "currency_withdrawn", NULL, cur, by);
		return;
	}
	if (k == NULL) {
		add_v(c, "V4", "currency", "bad_currency", NULL, cur, NULL);
		return;
	}
	if (k->kind == CUR_OTHER) {
		add_v(c, "V4", "currency", "currency_not_trade", NULL, cur, NULL);
		return;
	}
	if (c->p->n_currencies > 0) {
		for (size_t i = 0; i < c->p->n_currencies; i++)
			if (c->p->currencies[i] && strcmp(c->p->currencies[i], k->code) == 0)
				return;
		add_v(c, "V4", "currency", "currency_not_allowed", NULL, cur, NULL);
	}
}

/* --- C9, C13, V9 delivery terms --- */

static void check_incoterms(struct vctx *c)
{
	const struct order *o = c->o;
	const char *code = o->incoterms_code;
	const struct incoterm *t = NULL;
	if (!has(code)) {
		add_v(c, "C9", "incoterms", "missing_incoterms", NULL, NULL, NULL);
	} else if ((t = codes_incoterm(code)) == NULL) {
		const char *by = codes_incoterm_obsolete(code);
		add_v(c, "C9", "incoterms.code", by ? "obsolete_incoterms" : "unknown_incoterms",
		      NULL, code, by);
	} else if (!has(o->incoterms_place)) {
		add_v(c, "C9", "incoterms.named_place", "missing_incoterms_place", NULL, t->code, NULL);
	}
	if (t != NULL && t->sea_only) {
		bool loading = t->group == INCOTERM_F;   /* FAS, FOB: port of shipment */
		if (loading && !has(o->port_of_loading))
			add_v(c, "C13", "port_of_loading", "missing_port_of_loading", NULL, t->code, NULL);
		if (!loading && !has(o->port_of_discharge))
			add_v(c, "C13", "port_of_discharge", "missing_port_of_discharge", NULL, t->code, NULL);
	}
	const char *mode = o->transport_mode;
	if (has(mode) && codes_transport_mode(mode) == NULL)
		add_v(c, "V9", "transport_mode", "bad_transport_mode", NULL, mode, NULL);
	else if (t != NULL && t->sea_only && has(mode) && (strcmp(mode, "3") == 0 || strcmp(mode, "4") == 0))
		add_v(c, "V9", "transport_mode", "sea_term_wrong_mode",
		      mode[0] == '3' ? "mode_road" : "mode_air", t->code, NULL);
}

/* --- C11, C12, C14 --- */

static void check_header_fields(struct vctx *c)
{
	const struct order *o = c->o;
	if (!o->has_payment_terms && !has(o->payment_terms_text) && o->payment_net_days < 0) {
		if (c->p->payment_terms_from_master)
			c->out->flags |= PROBLEMS_PAYMENT_TERMS_DEFAULTED;
		else
			add_v(c, "C11", "payment_terms", "missing_payment_terms", NULL, NULL, NULL);
	}
	if (!has(o->po_number))
		add_v(c, "C12", "po_number", "missing_po_number", NULL, NULL, NULL);
	if (!has(o->order_date))
		add_v(c, "C12", "order_date", "missing_order_date", NULL, NULL, NULL);
	const struct party *b = o->parties[ROLE_BUYER];
	if (b == NULL || !has(b->contact_name) || (!has(b->contact_email) && !has(b->contact_phone)))
		add_v(c, "C14", "parties.buyer.contact", "missing_contact", NULL, NULL, NULL);
	if (o->is_test)
		add_v(c, "V16", "source", "test_order", NULL, NULL, NULL);
	if (o->is_duplicate_flag)
		add_v(c, "V17", "is_duplicate_flag", "non_binding", NULL, NULL, NULL);
}

/* --- V1, V2 dates --- */

#define NO_LINE ((size_t)-1)

/* A date the buyer wants something to happen on: valid, not past, not
 * sooner than the lead time allows.  False when it is not a valid date. */
static bool future_date(struct vctx *c, const char *d, const char *field, size_t line,
			const char *subject)
{
	long days;
	const char *key = NULL, *v2 = NULL;
	bool valid = codes_date_days(d, &days) == 0;
	if (!valid) {
		key = "bad_date";
	} else if (days < c->today) {
		key = "date_in_past";
	} else if (days < c->earliest) {
		key = "date_too_soon";
		v2 = c->earliest_s;
	}
	if (key != NULL && line == NO_LINE)
		add_v(c, "V1", field, key, subject, d, v2);
	else if (key != NULL)
		add_line(c, "V1", line, field, key, subject, d, v2);
	return valid;
}

static bool valid_date(struct vctx *c, const char *d, const char *field, const char *subject)
{
	if (codes_date_valid(d))
		return true;
	add_v(c, "V1", field, "bad_date", subject, d, NULL);
	return false;
}

static void check_header_dates(struct vctx *c)
{
	const struct order *o = c->o;
	bool req_ok = false, ship_ok = false, early_ok = false, late_ok = false, od_ok = false;
	if (has(o->requested_delivery_date))
		req_ok = future_date(c, o->requested_delivery_date, "requested_delivery_date",
				     NO_LINE, "subj_requested_delivery_date");
	if (has(o->ship_by_date))
		ship_ok = future_date(c, o->ship_by_date, "ship_by_date", NO_LINE, "subj_ship_by_date");
	if (has(o->window_earliest))   /* "not before": may well lie in the past */
		early_ok = valid_date(c, o->window_earliest, "delivery_window.earliest", "subj_window_earliest");
	if (has(o->window_latest))
		late_ok = future_date(c, o->window_latest, "delivery_window.latest", NO_LINE,
				      "subj_window_latest");
	if (has(o->order_date) && valid_date(c, o->order_date, "order_date", "subj_order_date")) {
		long d, age;
		char n[24];
		od_ok = true;
		codes_date_days(o->order_date, &d);
		age = c->today - d;
		snprintf(n, sizeof(n), "%d", c->p->max_order_age_days);
		if (age > c->p->max_order_age_days)
			add_v(c, "V1", "order_date", "order_too_old", NULL, o->order_date, n);
		else if (age < -1)
			add_v(c, "V1", "order_date", "order_date_future", NULL, o->order_date, NULL);
	}
	/* V2: YYYY-MM-DD strings compare like the dates they spell */
	if (early_ok && late_ok && strcmp(o->window_earliest, o->window_latest) > 0)
		add_v(c, "V2", "delivery_window.latest", "window_reversed", NULL,
		      o->window_earliest, o->window_latest);
	const char *arrive = req_ok ? o->requested_delivery_date : late_ok ? o->window_latest : NULL;
	if (ship_ok && arrive && strcmp(o->ship_by_date, arrive) > 0)
		add_v(c, "V2", "ship_by_date", "ship_after_delivery", "subj_ship_by_date",
		      o->ship_by_date, arrive);
	if (od_ok && req_ok && strcmp(o->requested_delivery_date, o->order_date) < 0)
		add_v(c, "V2", "requested_delivery_date", "delivery_before_order",
		      "subj_requested_delivery_date", o->requested_delivery_date, o->order_date);
}

static void check_line_dates(struct vctx *c, size_t i)
{
	const struct order *o = c->o;
	const struct order_line *l = &o->lines[i];
	bool del_ok = false, ship_ok = false;
	if (has(l->delivery_date))
		del_ok = future_date(c, l->delivery_date, "delivery_date", i, "subj_line_delivery_date");
	if (has(l->ship_by_date))
		ship_ok = future_date(c, l->ship_by_date, "ship_by_date", i, "subj_line_ship_by_date");
	const char *arrive = del_ok ? l->delivery_date : NULL;
	if (arrive == NULL && codes_date_valid(o->requested_delivery_date))
		arrive = o->requested_delivery_date;
	if (ship_ok && arrive && strcmp(l->ship_by_date, arrive) > 0)
		add_line(c, "V2", i, "ship_by_date", "ship_after_delivery", "subj_line_ship_by_date",
			 l->ship_by_date, arrive);
	if (del_ok && codes_date_valid(o->order_date) && strcmp(l->delivery_date, o->order_date) < 0)
		add_line(c, "V2", i, "delivery_date", "delivery_before_order", "subj_line_delivery_date",
			 l->delivery_date, o->order_date);
}

/* --- C7 --- */

static void check_delivery_date(struct vctx *c)
{
	const struct order *o = c->o;
	if (has(o->requested_delivery_date) || has(o->window_earliest) || has(o->window_latest) ||
	    has(o->ship_by_date))
		return;
	size_t dated = 0;
	for (size_t i = 0; i < o->n_lines; i++)
		if (has(o->lines[i].delivery_date) || has(o->lines[i].ship_by_date))
			dated++;
	if (dated == o->n_lines && dated > 0)
		return;
	if (dated == 0) {
		add_v(c, "C7", "requested_delivery_date", "missing_delivery_date", NULL, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < o->n_lines; i++)
		if (!has(o->lines[i].delivery_date) && !has(o->lines[i].ship_by_date))
			add_line(c, "C7", i, "delivery_date", "line_missing_delivery_date", NULL, NULL, NULL);
}

/* --- lines: C5 C6 C10 V3 V10 V11 V13 --- */

/* An amount for a sentence: at most 2 decimals. */
static void fmt2(struct dec d, char out[DEC_STRLEN])
{
	struct dec r = d;
	if (d.scale > 2 && dec_round(d, 2, &r) < 0)
		r = d;
	dec_format(r, out);
}

/* |a - b| <= tolerance */
static bool close_enough(struct vctx *c, struct dec a, struct dec b)
{
	struct dec diff;
	if (dec_sub(a, b, &diff) < 0)
		return false;
	if (dec_is_negative(diff))
		diff.v = -diff.v;
	return dec_cmp(diff, c->tol) <= 0;
}

/* Returns true and the amount of the line (as sent, else computed) when
 * it can be had; reports V3, V10 and V11 problems on the way. */
static bool check_line_numbers(struct vctx *c, size_t i, struct dec *amount_r)
{
	const struct order_line *l = &c->o->lines[i];
	struct dec q, p, basis = { 1, 0 }, amount, expect;
	bool q_ok = false, p_ok = false, b_ok = true, a_ok = false;
	if (has(l->quantity)) {
		if (dec_parse(l->quantity, &q) < 0)
			add_line(c, "V3", i, "quantity", "bad_quantity", NULL, l->quantity, NULL);
		else if (dec_is_negative(q) || dec_is_zero(q))
			add_line(c, "V3", i, "quantity", "quantity_not_positive", NULL, l->quantity, NULL);
		else
			q_ok = true;
	}
	if (has(l->unit_price)) {
		if (dec_parse(l->unit_price, &p) < 0)
			add_line(c, "V10", i, "unit_price", "bad_price", NULL, l->unit_price, NULL);
		else if (dec_is_negative(p))
			add_line(c, "V10", i, "unit_price", "negative_price", NULL, l->unit_price, NULL);
		else
			p_ok = true;
	}
	if (has(l->price_basis_quantity)) {
		if (dec_parse(l->price_basis_quantity, &basis) < 0 || dec_is_negative(basis) ||
		    dec_is_zero(basis)) {
			add_line(c, "V10", i, "unit_price", "bad_price_basis", NULL,
				 l->price_basis_quantity, NULL);
			b_ok = false;
		}
	}
	if (has(l->line_amount)) {
		if (dec_parse(l->line_amount, &amount) < 0)
			add_line(c, "V11", i, "line_amount", "bad_line_amount", NULL, l->line_amount, NULL);
		else
			a_ok = true;
	}
	bool computed = q_ok && p_ok && b_ok && dec_mul(q, p, &expect) == 0 &&
			dec_div(expect, basis, expect.scale > 4 ? expect.scale : 4, &expect) == 0;
	if (a_ok && computed && !close_enough(c, amount, expect)) {
		char want[DEC_STRLEN];
		fmt2(expect, want);
		add_line(c, "V11", i, "line_amount", "line_amount_mismatch", NULL, l->line_amount, want);
	}
	if (a_ok)
		*amount_r = amount;
	else if (computed)
		*amount_r = expect;
	return a_ok || computed;
}

static void check_lines(struct vctx *c)
{
	const struct order *o = c->o;
	struct dec sum = { 0, 0 };
	bool sum_ok = o->n_lines > 0;
	if (o->n_lines == 0)
		add_v(c, "C5", "lines", "no_lines", NULL, NULL, NULL);
	for (size_t i = 0; i < o->n_lines; i++) {
		const struct order_line *l = &o->lines[i];
		if (!has(l->quantity))
			add_line(c, "C5", i, "quantity", "missing_quantity", NULL, NULL, NULL);
		if (has(l->uom_code) ? codes_unit(l->uom_code) == NULL
				     : has(l->uom_original) && codes_unit_map(UNIT_ANY, l->uom_original) == NULL)
			add_line(c, "C5", i, has(l->uom_code) ? "uom.code" : "uom.original", "unknown_unit",
				 NULL, has(l->uom_code) ? l->uom_code : l->uom_original, NULL);
		else if (!has(l->uom_code) && !has(l->uom_original))
			add_line(c, "C5", i, "uom.code", "missing_unit", NULL, NULL, NULL);
		if (line_item(l) == NULL)
			add_line(c, "C6", i, "seller_item_id", "missing_item_id", NULL, NULL, NULL);
		if (!has(l->unit_price)) {
			if (c->p->priceless_agreed)
				c->out->flags |= PROBLEMS_PRICES_FROM_CONTRACT;
			else
				add_line(c, "C10", i, "unit_price", "missing_price", NULL, NULL, NULL);
		}
		if (has(l->gtin) && !codes_gtin_valid(l->gtin))
			add_line(c, "V13", i, "gtin", "bad_gtin", NULL, l->gtin, NULL);
		struct dec a;
		if (check_line_numbers(c, i, &a)) {
			if (sum_ok && dec_add(sum, a, &sum) < 0)
				sum_ok = false;
		} else {
			sum_ok = false;
		}
		check_line_dates(c, i);
	}
	if (has(o->declared_amount)) {
		struct dec declared;
		if (dec_parse(o->declared_amount, &declared) < 0) {
			add_v(c, "V11", "totals.declared_amount", "bad_total", NULL, o->declared_amount, NULL);
		} else if (sum_ok && !close_enough(c, declared, sum)) {
			char s[DEC_STRLEN];
			fmt2(sum, s);
			add_v(c, "V11", "totals.declared_amount", "total_mismatch", NULL, o->declared_amount, s);
		}
	}
}

/* --- V7 countries, V13 GLNs of parties --- */

static void check_parties(struct vctx *c)
{
	static const char *const addr[ROLE_COUNT] = { "subj_addr_buyer", "subj_addr_seller",
						      "subj_addr_ship_to", "subj_addr_bill_to" };
	static const char *const who[ROLE_COUNT] = { "subj_party_buyer", "subj_party_seller",
						     "subj_party_ship_to", "subj_party_bill_to" };
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct party *pt = c->o->parties[r];
		char field[64];
		if (pt == NULL)
			continue;
		if (has(pt->country) && codes_country(pt->country) == NULL) {
			const char *a2 = codes_country_to_alpha2(pt->country);
			snprintf(field, sizeof(field), "parties.%s.address.country", order_role_names[r]);
			add_v(c, "V7", field, a2 ? "country_alpha3" : "bad_country", addr[r], pt->country, a2);
		}
		for (size_t k = 0; k < pt->n_ids; k++) {
			if (pt->ids[k].scheme == NULL || strcmp(pt->ids[k].scheme, "GLN") != 0 ||
			    codes_gln_valid(pt->ids[k].value))
				continue;
			snprintf(field, sizeof(field), "parties.%s.ids[%zu].value", order_role_names[r], k);
			add_v(c, "V13", field, "bad_gln", who[r], pt->ids[k].value, NULL);
		}
	}
}

/* --- V14 line numbers unique --- */

struct numbered {
	const char *no;
	size_t i;
};

static int cmp_numbered(const void *a, const void *b)
{
	const struct numbered *x = a, *y = b;
	int r = strcmp(x->no, y->no);
	return r ? r : (x->i > y->i) - (x->i < y->i);
}

static void check_line_numbers_unique(struct vctx *c)
{
	const struct order *o = c->o;
	size_t n = 0;
	if (o->n_lines < 2)
		return;
	struct numbered *v = malloc(o->n_lines * sizeof(*v));
	if (v == NULL)
		fatal("out of memory");
	for (size_t i = 0; i < o->n_lines; i++)
		if (has(o->lines[i].line_no))
			v[n++] = (struct numbered){ o->lines[i].line_no, i };
	qsort(v, n, sizeof(*v), cmp_numbered);
	for (size_t k = 1; k < n; k++)
		if (strcmp(v[k - 1].no, v[k].no) == 0)
			add_line(c, "V14", v[k].i, "line_no", "duplicate_line_no", NULL, v[k].no, NULL);
	free(v);
}

int validate_order(const struct order *o, const struct validate_policy *p, struct problems *out)
{
	struct vctx c = { .o = o, .p = p, .out = out };
	if (o == NULL || p == NULL || codes_date_days(p->today, &c.today) < 0 ||
	    p->lead_time_days < 0 || p->max_order_age_days < 0 ||
	    dec_parse(p->amount_tolerance ? p->amount_tolerance : "0.01", &c.tol) < 0 ||
	    dec_is_negative(c.tol))
		return -1;
	c.earliest = c.today + p->lead_time_days;
	if (codes_date_add(p->today, p->lead_time_days, c.earliest_s) < 0)
		return -1;

	check_customer(&c);                  /* C1 */
	check_ship_to(&c);                   /* C2 C3 */
	check_bill_to(&c);                   /* C4 */
	check_lines(&c);                     /* C5 C6 C10 V1 V2 V3 V10 V11 V13 (lines) */
	check_delivery_date(&c);             /* C7 */
	check_currency(&c);                  /* C8 V4 */
	check_incoterms(&c);                 /* C9 C13 V9 */
	check_header_fields(&c);             /* C11 C12 C14 V16 V17 */
	check_header_dates(&c);              /* V1 V2 */
	check_parties(&c);                   /* V7 V13 */
	check_line_numbers_unique(&c);       /* V14 */
	update_status(out);
	return (int)out->status;
}
