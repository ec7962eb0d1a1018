"""The five main customs offices that issue codes at the counter (seed 000, "Address & Phone number").

Reference data, loaded by a data migration so that every installation has it, demo or not.
"""

MAIN_CUSTOMS_OFFICES = [
    {
        "code": "seoul",
        "name_ko": "서울본부세관",
        "name_en": "Seoul Main Customs",
        "address_ko": "서울특별시 강남구 언주로 721",
        "address_en": "721, Eonju-ro, Gangnam-gu, Seoul",
        "postcode": "06050",
    },
    {
        "code": "incheon",
        "name_ko": "인천본부세관",
        "name_en": "Incheon Main Customs",
        "address_ko": "인천광역시 중구 서해대로 339",
        "address_en": "339, Seohae-daero, Jung-gu, Incheon",
        "postcode": "22346",
    },
    {
        "code": "busan",
        "name_ko": "부산본부세관",
        "name_en": "Busan Main Customs",
        "address_ko": "부산광역시 중구 충장대로 20",
        "address_en": "20, Chungjang-daero, Jung-gu, Busan",
        "postcode": "48940",
    },
    {
        "code": "daegu",
        "name_ko": "대구본부세관",
        "name_en": "Daegu Main Customs",
        "address_ko": "대구광역시 달서구 화암로 301 대구지방합동청사 4·5층",
        "address_en": "4th and 5th floors, Daegu Regional Government Complex, 301, Hwaam-ro, Dalseo-gu, Daegu",
        "postcode": "42768",
    },
    {
        "code": "gwangju",
        "name_ko": "광주본부세관",
        "name_en": "Gwangju Main Customs",
        "address_ko": "광주광역시 북구 첨단과기로208번길 43 광주지방합동청사 10·11층",
        "address_en": "10th and 11th floors, Gwangju Regional Government Complex, 43, Cheomdangwagi-ro 208beon-gil, "
        "Buk-gu, Gwangju",
        "postcode": "61011",
    },
]
