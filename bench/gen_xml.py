#!/usr/bin/python3
"""gen_xml.py — deterministic UBL and cXML orders for speed measurements.

    /usr/bin/python3 bench/gen_xml.py OUTDIR [COUNT] [SEED]

writes COUNT UBL 2.1 orders (ubl-NNNNN.xml) and COUNT cXML 1.2 OrderRequests
(cxml-NNNNN.xml) of 1 to 50 lines each into OUTDIR (default COUNT 2000,
SEED 20250110).  The same arguments always give the same bytes, so figures
from two machines or two commits can be compared.  Only the standard
library; nothing is read from the network.
"""
import os
import random
import sys

UBL_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>
  <cbc:ID>{po}</cbc:ID>
  <cbc:IssueDate>{date}</cbc:IssueDate>
  <cbc:OrderTypeCode>220</cbc:OrderTypeCode>
  <cbc:Note>{note}</cbc:Note>
  <cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>
  <cac:BuyerCustomerParty><cac:Party>
    <cbc:EndpointID schemeID="0088">{gln}</cbc:EndpointID>
    <cac:PartyIdentification><cbc:ID schemeID="0088">{gln}</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>{buyer}</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>{street}</cbc:StreetName><cbc:BuildingNumber>{num}</cbc:BuildingNumber>
      <cbc:CityName>{city}</cbc:CityName><cbc:PostalZone>{zip}</cbc:PostalZone>
      <cac:Country><cbc:IdentificationCode>{country}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>{country}{vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:Contact><cbc:Name>{contact}</cbc:Name><cbc:Telephone>+49 40 {vat}</cbc:Telephone><cbc:ElectronicMail>buyer{n}@example.com</cbc:ElectronicMail></cac:Contact>
  </cac:Party></cac:BuyerCustomerParty>
  <cac:SellerSupplierParty><cac:Party>
    <cbc:EndpointID schemeID="0088">4012345000009</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Example Mfg Co Ltd</cbc:Name></cac:PartyName>
  </cac:Party></cac:SellerSupplierParty>
  <cac:Delivery>
    <cac:DeliveryLocation><cbc:ID schemeID="0088">{gln2}</cbc:ID>
      <cac:Address><cbc:StreetName>{street2}</cbc:StreetName><cbc:CityName>{city2}</cbc:CityName><cbc:PostalZone>{zip2}</cbc:PostalZone>
      <cac:Country><cbc:IdentificationCode>{country}</cbc:IdentificationCode></cac:Country></cac:Address></cac:DeliveryLocation>
    <cac:RequestedDeliveryPeriod><cbc:StartDate>{d1}</cbc:StartDate><cbc:EndDate>{d2}</cbc:EndDate></cac:RequestedDeliveryPeriod>
    <cac:DeliveryParty><cac:PartyName><cbc:Name>{buyer} DC</cbc:Name></cac:PartyName></cac:DeliveryParty>
  </cac:Delivery>
  <cac:DeliveryTerms><cbc:ID>{inco}</cbc:ID><cac:DeliveryLocation><cbc:ID>{inco} {port}</cbc:ID></cac:DeliveryLocation></cac:DeliveryTerms>
  <cac:PaymentTerms><cbc:Note>Net {days} days</cbc:Note></cac:PaymentTerms>
  <cac:AnticipatedMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{cur}">{total}</cbc:LineExtensionAmount>
    <cbc:PayableAmount currencyID="{cur}">{total}</cbc:PayableAmount>
  </cac:AnticipatedMonetaryTotal>
"""

UBL_LINE = """  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>{i}</cbc:ID>
      <cbc:Quantity unitCode="{uom}">{qty}</cbc:Quantity>
      <cbc:LineExtensionAmount currencyID="{cur}">{amt}</cbc:LineExtensionAmount>
      <cac:Price><cbc:PriceAmount currencyID="{cur}">{price}</cbc:PriceAmount><cbc:BaseQuantity unitCode="{uom}">1</cbc:BaseQuantity></cac:Price>
      <cac:Item>
        <cbc:Description>{desc}</cbc:Description>
        <cbc:Name>{name}</cbc:Name>
        <cac:BuyersItemIdentification><cbc:ID>B-{item}</cbc:ID></cac:BuyersItemIdentification>
        <cac:SellersItemIdentification><cbc:ID>S-{item}</cbc:ID></cac:SellersItemIdentification>
        <cac:StandardItemIdentification><cbc:ID schemeID="0160">{gtin}</cbc:ID></cac:StandardItemIdentification>
        <cac:CommodityClassification><cbc:ItemClassificationCode listID="HS">{hs}</cbc:ItemClassificationCode></cac:CommodityClassification>
      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>
"""

CXML_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/cXML.dtd">
<cXML payloadID="{n}.{po}@buyer.example" timestamp="{date}T09:30:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity>{duns}</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>123456789</Identity></Credential></To>
    <Sender><Credential domain="DUNS"><Identity>{duns}</Identity><SharedSecret>secret</SharedSecret></Credential><UserAgent>BuyerERP 1.0</UserAgent></Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="{po}" orderDate="{date}T09:30:00+00:00" type="new">
        <Total><Money currency="{cur}">{total}</Money></Total>
        <ShipTo><Address addressID="{gln2}" addressIDDomain="ILN"><Name xml:lang="en">{buyer} DC</Name>
          <PostalAddress name="default"><DeliverTo>{contact}</DeliverTo><Street>{street2}</Street><City>{city2}</City><PostalCode>{zip2}</PostalCode><Country isoCountryCode="{country}">{country}</Country></PostalAddress>
          <Phone name="work"><TelephoneNumber><CountryCode isoCountryCode="{country}">49</CountryCode><AreaOrCityCode>40</AreaOrCityCode><Number>{vat}</Number></TelephoneNumber></Phone>
        </Address></ShipTo>
        <BillTo><Address addressID="C{n}"><Name xml:lang="en">{buyer}</Name>
          <PostalAddress name="default"><Street>{street} {num}</Street><City>{city}</City><PostalCode>{zip}</PostalCode><Country isoCountryCode="{country}">{country}</Country></PostalAddress>
        </Address></BillTo>
        <PaymentTerm payInNumberOfDays="{days}"/>
        <Contact role="buyer"><Name xml:lang="en">{contact}</Name><Email name="default">buyer{n}@example.com</Email></Contact>
        <Comments xml:lang="en">{note}</Comments>
        <TermsOfDelivery><TermsOfDeliveryCode value="DeliveryCondition"/><ShippingPaymentMethod value="Other">Collect</ShippingPaymentMethod><TransportTerms value="Other">{inco} {port}</TransportTerms></TermsOfDelivery>
      </OrderRequestHeader>
"""

CXML_LINE = """      <ItemOut quantity="{qty}" lineNumber="{i}" requestedDeliveryDate="{d2}">
        <ItemID><SupplierPartID>S-{item}</SupplierPartID><BuyerPartID>B-{item}</BuyerPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="{cur}">{price}</Money></UnitPrice>
          <Description xml:lang="en">{name}, {desc}</Description>
          <UnitOfMeasure>{uom}</UnitOfMeasure>
          <Classification domain="UNSPSC">31162400</Classification>
          <Classification domain="HS">{hs}</Classification>
          <ManufacturerPartID>M-{item}</ManufacturerPartID>
        </ItemDetail>
      </ItemOut>
"""

CXML_TAIL = """    </OrderRequest>
  </Request>
</cXML>
"""

WORDS = ("steel bracket hinge bolt nut washer gasket valve pump filter cable sensor "
         "housing cover panel frame spring bearing seal clamp").split()
CITIES = ("Hamburg Rotterdam Shanghai Chicago Lyon Milano Gdansk Osaka Valencia Antwerp").split()


def gtin13(r):
    body = "".join(str(r.randrange(10)) for _ in range(12))
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)


def order_fields(r, n):
    f = {
        "n": n, "po": "PO-%06d" % r.randrange(1000000),
        "date": "2025-%02d-%02d" % (r.randrange(1, 13), r.randrange(1, 29)),
        "note": " ".join(r.choice(WORDS) for _ in range(r.randrange(3, 12))),
        "cur": r.choice(("EUR", "USD", "GBP")), "gln": gtin13(r), "gln2": gtin13(r),
        "buyer": "%s %s GmbH" % (r.choice(WORDS).title(), r.choice(WORDS).title()),
        "street": r.choice(WORDS).title() + "strasse", "num": r.randrange(1, 200),
        "street2": r.choice(WORDS).title() + " Road %d" % r.randrange(1, 90),
        "city": r.choice(CITIES), "city2": r.choice(CITIES),
        "zip": "%05d" % r.randrange(100000), "zip2": "%05d" % r.randrange(100000),
        "country": r.choice(("DE", "NL", "FR", "IT", "US")), "vat": r.randrange(10**8, 10**9),
        "contact": r.choice(("Ann", "Bob", "Chen", "Dana")) + " " + r.choice(("Li", "Meyer", "Rossi")),
        "d1": "2025-%02d-01" % r.randrange(1, 13), "d2": "2025-%02d-20" % r.randrange(1, 13),
        "inco": r.choice(("FOB", "CIF", "EXW", "DAP", "FCA")), "port": r.choice(CITIES),
        "days": r.choice((30, 45, 60)), "duns": r.randrange(10**8, 10**9),
    }
    lines = []
    total = 0
    for i in range(1, r.randrange(1, 51) + 1):
        qty = r.randrange(1, 5000)
        cents = r.randrange(5, 100000)
        total += qty * cents
        lines.append({
            "i": i, "qty": qty, "uom": r.choice(("EA", "H87", "KGM", "MTR", "XBX")),
            "price": "%d.%02d" % divmod(cents, 100), "amt": "%d.%02d" % divmod(qty * cents, 100),
            "cur": f["cur"], "item": r.randrange(100000),
            "name": "%s %s %dmm" % (r.choice(WORDS).title(), r.choice(WORDS), r.randrange(5, 400)),
            "desc": " ".join(r.choice(WORDS) for _ in range(r.randrange(4, 16))),
            "gtin": gtin13(r), "hs": "%04d%02d" % (r.randrange(1000, 9999), r.randrange(100)),
            "d2": f["d2"],
        })
    f["total"] = "%d.%02d" % divmod(total, 100)
    return f, lines


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 64
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20250110
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for n in range(1, count + 1):
        f, lines = order_fields(r, n)
        with open(os.path.join(out, "ubl-%05d.xml" % n), "w", encoding="utf-8") as fp:
            fp.write(UBL_HEAD.format(**f))
            for line in lines:
                fp.write(UBL_LINE.format(**line))
            fp.write("</Order>\n")
        f, lines = order_fields(r, n)
        with open(os.path.join(out, "cxml-%05d.xml" % n), "w", encoding="utf-8") as fp:
            fp.write(CXML_HEAD.format(**f))
            for line in lines:
                fp.write(CXML_LINE.format(**line))
            fp.write(CXML_TAIL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
