/* decimal.h — exact decimal arithmetic for quantities, prices and amounts.
 *
 * A value is v x 10^-scale with a 128-bit v, so 38 significant digits:
 * enough for any EDI quantity (R 15) times any price (R 17).  Every
 * operation reports overflow as -1 instead of wrapping.  Never float. */
#ifndef ORDERGW_DECIMAL_H
#define ORDERGW_DECIMAL_H
#include <stdbool.h>
#include <stddef.h>

struct dec {
	__int128 v;
	int scale;   /* 0..30 */
};

#define DEC_MAX_SCALE 30
#define DEC_STRLEN 48

/* Parse "[+-]digits[.digits]" (also ".5", "5.").  The whole string must be
 * used.  -1 on anything else or on more than 36 digits. */
int dec_parse(const char *s, struct dec *out);
int dec_parsen(const char *s, size_t n, struct dec *out);
int dec_add(struct dec a, struct dec b, struct dec *out);
int dec_sub(struct dec a, struct dec b, struct dec *out);
int dec_mul(struct dec a, struct dec b, struct dec *out);
/* a / b rounded half away from zero to `scale` places; -1 if b is 0. */
int dec_div(struct dec a, struct dec b, int scale, struct dec *out);
int dec_round(struct dec a, int scale, struct dec *out);
int dec_cmp(struct dec a, struct dec b);
bool dec_is_zero(struct dec a);
bool dec_is_negative(struct dec a);
/* Drop trailing fraction zeros ("12.500" -> "12.5", "3.0" -> "3"). */
struct dec dec_trim(struct dec a);
/* Write into out (DEC_STRLEN bytes); returns out. */
char *dec_format(struct dec a, char *out);
/* Convenience: is s a valid decimal string? */
bool dec_valid(const char *s);

#endif
