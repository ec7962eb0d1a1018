"""List clearance and the general-clearance tax estimate (DOMAIN.md §8, seed 004). No database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearance.assessment import (
    AGGREGATED_OVER_LIMIT,
    EXCLUDED_CATEGORY,
    OVER_LIMIT,
    USD_VALUE_UNKNOWN,
    ExcludedCategory,
    Item,
    item_excluded_category,
    items_total,
    list_clearance_assess,
    list_clearance_limit_usd,
    tax_estimate,
)


def item(price, *, hs_code="6204.44", currency="USD", quantity=1, excluded_category="", origin="CN"):
    return Item(
        description="Dress",
        hs_code=hs_code,
        quantity=quantity,
        price=Decimal(price),
        currency=currency,
        origin_country=origin,
        excluded_category=excluded_category,
    )


# --- limits (seed 004: USD 150, USD 200 for goods shipped from the US) ---


def test_limit_is_200_usd_shipped_from_us_and_150_from_elsewhere():
    assert list_clearance_limit_usd(shipped_from="US") == Decimal("200")
    assert list_clearance_limit_usd(shipped_from="us") == Decimal("200")
    assert list_clearance_limit_usd(shipped_from="JP") == Decimal("150")
    assert list_clearance_limit_usd(shipped_from="DE") == Decimal("150")


def test_seed_004_vitamins_50_usd_from_us_go_to_general_clearance_as_health_supplement():
    vitamins = Item(
        description="Vitamin C",
        hs_code="2106.90",
        quantity=1,
        price=Decimal("50"),
        currency="USD",
        origin_country="US",
    )
    assert item_excluded_category(vitamins) == ExcludedCategory.HEALTH_SUPPLEMENT
    result = list_clearance_assess(items=[vitamins], shipped_from="US")
    assert result.applies is False
    assert result.reasons == (EXCLUDED_CATEGORY,)


def test_seed_004_dress_205_usd_from_us_is_over_the_200_usd_limit():
    result = list_clearance_assess(items=[item("205")], shipped_from="US")
    assert result.applies is False
    assert result.limit_usd == Decimal("200")
    assert result.total_usd == Decimal("205")
    assert result.reasons == (OVER_LIMIT,)


def test_exactly_150_usd_from_outside_the_us_clears_on_the_list():
    result = list_clearance_assess(items=[item("150.00")], shipped_from="CN")
    assert result.applies is True
    assert result.reasons == ()
    assert result.messages() == []


def test_150_01_usd_from_outside_the_us_goes_to_general_clearance():
    result = list_clearance_assess(items=[item("150.01")], shipped_from="CN")
    assert result.applies is False
    assert result.reasons == (OVER_LIMIT,)


def test_exactly_200_usd_shipped_from_the_us_clears_on_the_list():
    assert list_clearance_assess(items=[item("200")], shipped_from="US").applies is True


def test_200_usd_shipped_from_japan_goes_to_general_clearance():
    # The special case follows the country the goods leave from, not where they were made.
    result = list_clearance_assess(items=[item("200", origin="US")], shipped_from="JP")
    assert result.applies is False
    assert result.reasons == (OVER_LIMIT,)


def test_limit_is_judged_on_line_totals_price_times_quantity():
    assert items_total([item("40", quantity=3), item("20.50", quantity=2)]) == Decimal("161.00")
    result = list_clearance_assess(items=[item("40", quantity=3), item("20.50", quantity=2)], shipped_from="GB")
    assert result.total_usd == Decimal("161.00")
    assert result.reasons == (OVER_LIMIT,)


# --- same-day aggregation (합산, seed 004) ---


def test_same_day_shipments_100_and_60_from_outside_the_us_are_aggregated_into_general_clearance():
    first = list_clearance_assess(items=[item("100")], shipped_from="CN")
    assert first.applies is True
    second = list_clearance_assess(items=[item("60")], shipped_from="CN", same_day_prior_usd=first.total_usd)
    assert second.applies is False
    assert second.total_usd == Decimal("60")
    assert second.aggregated_usd == Decimal("160")
    assert second.reasons == (AGGREGATED_OVER_LIMIT,)


def test_same_day_sum_up_to_the_limit_still_clears_on_the_list():
    result = list_clearance_assess(items=[item("50")], shipped_from="CN", same_day_prior_usd=Decimal("100"))
    assert result.applies is True
    assert result.aggregated_usd == Decimal("150")


# --- excluded categories (별표 1 목록통관 배제대상) ---


@pytest.mark.parametrize(
    ("hs_code", "category"),
    [
        ("3004.50", ExcludedCategory.MEDICINE),
        ("1211.20", ExcludedCategory.HERBAL_MEDICINE),  # inside quarantine chapter 12: longest prefix
        ("1207.40", ExcludedCategory.QUARANTINE),
        ("0106.19", ExcludedCategory.QUARANTINE),
        ("0409.00", ExcludedCategory.QUARANTINE),  # honey
        ("0801.32", ExcludedCategory.QUARANTINE),
        ("2106.90-9099", ExcludedCategory.HEALTH_SUPPLEMENT),
        ("1806.32", ExcludedCategory.FOOD),
        ("21", ExcludedCategory.FOOD),  # a 2-digit chapter code: chapter rows only
        ("2202.10", ExcludedCategory.FOOD),
        ("2204.21", ExcludedCategory.ALCOHOL),
        ("2208", ExcludedCategory.ALCOHOL),
        ("2402.20", ExcludedCategory.TOBACCO),
        ("9018.90", ExcludedCategory.MEDICAL_DEVICE),
        ("902140", ExcludedCategory.MEDICAL_DEVICE),
        ("2309.10", ExcludedCategory.PET_FOOD),
    ],
)
def test_hs_code_in_an_excluded_category_is_never_cleared_on_the_list(hs_code, category):
    cheap = item("1", hs_code=hs_code)
    assert item_excluded_category(cheap) == category
    assert list_clearance_assess(items=[cheap], shipped_from="US").reasons == (EXCLUDED_CATEGORY,)


@pytest.mark.parametrize("hs_code", ["6204.44", "3304.99", "6403", "8517.13", "9017.20", "90", "2302", ""])
def test_hs_code_outside_the_table_is_not_excluded(hs_code):
    # 3304 (cosmetics) and 8517 (phones) are excluded only when the filer says so; 9017 is next to
    # the medical devices 9018-9022 and "90" alone cannot tell.
    assert item_excluded_category(item("1", hs_code=hs_code)) == ""


def test_cosmetics_are_excluded_only_when_the_filer_states_the_functional_category():
    cream = item("30", hs_code="3304.99")
    assert list_clearance_assess(items=[cream], shipped_from="FR").applies is True
    functional = item("30", hs_code="3304.99", excluded_category=ExcludedCategory.COSMETICS_FUNCTIONAL)
    result = list_clearance_assess(items=[functional], shipped_from="FR")
    assert result.applies is False
    assert result.reasons == (EXCLUDED_CATEGORY,)


def test_one_excluded_item_sends_the_whole_declaration_to_general_clearance():
    result = list_clearance_assess(items=[item("10"), item("5", hs_code="2204.21")], shipped_from="FR")
    assert result.applies is False
    assert result.reasons == (EXCLUDED_CATEGORY,)


def test_excluded_and_over_limit_are_both_reported():
    result = list_clearance_assess(items=[item("300", hs_code="3004.90")], shipped_from="US")
    assert result.reasons == (EXCLUDED_CATEGORY, OVER_LIMIT)


def test_unknown_stated_category_is_refused():
    with pytest.raises(ValueError):
        item("1", excluded_category="guns")


# --- currencies ---


def test_other_currency_without_a_usd_value_cannot_be_judged():
    result = list_clearance_assess(items=[item("10000", currency="JPY")], shipped_from="JP")
    assert result.applies is None
    assert result.total_usd is None
    assert result.aggregated_usd is None
    assert result.reasons == (USD_VALUE_UNKNOWN,)


def test_other_currency_is_converted_with_usd_per_unit():
    # JPY 22,000 at USD 0.0068 per yen = USD 149.60: under the limit; JPY 23,000 = USD 156.40: over.
    under = list_clearance_assess(
        items=[item("22000", currency="JPY")], shipped_from="JP", usd_per_unit=Decimal("0.0068")
    )
    assert under.total_usd == Decimal("149.6")
    assert under.applies is True
    over = list_clearance_assess(
        items=[item("23000", currency="JPY")], shipped_from="JP", usd_per_unit=Decimal("0.0068")
    )
    assert over.reasons == (OVER_LIMIT,)


def test_excluded_item_decides_even_without_a_usd_value():
    result = list_clearance_assess(items=[item("1000", currency="JPY", hs_code="3004")], shipped_from="JP")
    assert result.applies is False
    assert result.reasons == (EXCLUDED_CATEGORY,)


def test_mixed_currencies_are_refused():
    with pytest.raises(ValueError):
        items_total([item("1"), item("1", currency="EUR")])


def test_messages_give_each_reason_in_korean_and_english():
    result = list_clearance_assess(items=[item("300", hs_code="3004.90")], shipped_from="US")
    messages = result.messages()
    assert [m["code"] for m in messages] == [EXCLUDED_CATEGORY, OVER_LIMIT]
    for message in messages:
        assert set(message["message"]) == {"ko", "en"}
    assert "USD 150" in messages[1]["message"]["en"]


# --- duty and VAT (seed 004) ---


def test_tax_estimate_of_the_205_usd_dress():
    # 205 × 1,400 + 0 = 287,000; duty 287,000 × 13% = 37,310; VAT (287,000 + 37,310) × 10% = 32,431.
    estimate = tax_estimate(items=[item("205")], exchange_rate=Decimal("1400"), duty_rate=Decimal("13"))
    assert estimate.currency == "USD"
    assert estimate.total_price == Decimal("205")
    assert estimate.taxable_value_krw == 287_000
    assert estimate.duty_krw == 37_310
    assert estimate.vat_krw == 32_431
    assert estimate.total_tax_krw == 69_741


def test_tax_estimate_adds_freight_and_truncates_below_one_won():
    # 2 × 89.99 = 179.98 × 1,387.65 = 249,749.247 + freight 12,500 = 262,249.247 → 262,249;
    # duty 8% = 20,979.92 → 20,979; VAT (262,249 + 20,979) × 10% = 28,322.8 → 28,322.
    estimate = tax_estimate(
        items=[item("89.99", quantity=2)], exchange_rate=Decimal("1387.65"), duty_rate=Decimal("8"), freight_krw=12_500
    )
    assert estimate.taxable_value_krw == 262_249
    assert estimate.duty_krw == 20_979
    assert estimate.vat_krw == 28_322
    assert estimate.total_tax_krw == 49_301


def test_tax_estimate_with_zero_duty_still_charges_vat():
    estimate = tax_estimate(items=[item("1000", currency="EUR")], exchange_rate=Decimal("1500"), duty_rate=Decimal(0))
    assert estimate.duty_krw == 0
    assert estimate.vat_krw == 150_000


# --- properties ---

prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)
hs_codes = st.sampled_from(["6204.44", "3304.99", "2106.90", "3004", "8517.13", "2204", "0901", "21"])
items_st = st.builds(
    item,
    prices,
    hs_code=hs_codes,
    quantity=st.integers(min_value=1, max_value=5),
    currency=st.just("USD"),
)


@given(
    st.lists(items_st, min_size=1, max_size=5),
    items_st,
    st.sampled_from(["US", "CN", "JP"]),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("300"), places=2),
)
def test_adding_an_item_never_turns_general_clearance_into_list_clearance(items, extra, shipped_from, prior):
    before = list_clearance_assess(items=items, shipped_from=shipped_from, same_day_prior_usd=prior)
    after = list_clearance_assess(items=[*items, extra], shipped_from=shipped_from, same_day_prior_usd=prior)
    if before.applies is False:
        assert after.applies is False
    assert after.applies is (not after.reasons)
    assert after.aggregated_usd == prior + after.total_usd


@given(
    st.lists(items_st, min_size=1, max_size=5),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000"), places=4),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=1),
    st.integers(min_value=0, max_value=200_000),
)
def test_tax_components_are_whole_won_not_negative_and_add_up(items, rate, duty_rate, freight):
    estimate = tax_estimate(items=items, exchange_rate=rate, duty_rate=duty_rate, freight_krw=freight)
    for amount in (estimate.taxable_value_krw, estimate.duty_krw, estimate.vat_krw):
        assert type(amount) is int
        assert amount >= 0
    assert estimate.taxable_value_krw >= freight
    assert estimate.total_tax_krw == estimate.duty_krw + estimate.vat_krw
    # Truncation drops less than one won at each step.
    assert 0 <= estimate.taxable_value_krw * duty_rate / 100 - estimate.duty_krw < 1
