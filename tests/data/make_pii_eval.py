"""Write tests/data/pii_eval.tsv: hand-written dialogues plus dialogues generated from templates.

    python tests/data/make_pii_eval.py          # rewrites tests/data/pii_eval.tsv (deterministic)

Every value is invented here (card numbers are random digits with a valid Luhn sum, SSNs random
valid-looking numbers, names and streets common words).  Dialogue format: see
qa_pipeline/redact/evaluate.py.  The look-alikes (category ``clean``) use the same spoken and
written number forms as the PII, so only context and form tell them apart.
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).with_name("pii_eval.tsv")

# --------------------------------------------------------------------------- hand-written
HAND_PII = [
    "A: Can I take the long number on the card? || C: Yes, it's <CARD>4666 1760 3137 2159</CARD>.",
    "C: My card number is <CARD>4010-9281-5901-3962</CARD>.",
    "A: Go ahead with the card number. || C: <CARD>Five one three oh, four three five two, oh five six one, seven four eight three</CARD>.",
    "A: Card number please. || C: Sure. <CARD>5551 6780</CARD> || A: Okay. || C: <CARD>0837 4071</CARD>.",
    "C: It's a Visa, <CARD>four eight four nine, two four three three, seven two one one, seven eight one five</CARD>.",
    "C: The Amex is <CARD>3490 424861 11489</CARD>.",
    "A: And the card number? || C: <CARD>three seven one four, three six five, three seven oh five, six five six three</CARD>.",
    "C: Uh, <CARD>6011 4419 7923 7609</CARD>, that's my Discover card.",
    "A: What's the card number? || C: <CARD>sixty-five twenty-six, oh three oh nine, twenty-six double oh, twenty-six seventy-five</CARD>.",
    "A: The card number, please. || C: <CARD>2221 four four four six, 3478 six one two two</CARD>.",
    "C: My old Visa number is <CARD>4112 532 870 465</CARD>.",
    "A: Ready when you are. || C: <CARD>4849</CARD> || A: Yep. || C: <CARD>2433</CARD> || A: Mm-hmm. || C: <CARD>7211 7815</CARD>",
    "A: Could you read me the card number? || C: It's <CARD>5305 2148 7740 0000</CARD>.",
    "C: <CARD>3532 0109 8326 3898</CARD> is the card.",
    "A: What's the number on the card? || C: <CARD>3687 780063 9436</CARD>.",
    "A: Card number? || C: <CARD>four six double six, one seven six oh, three one three seven, two one five nine</CARD>.",
    "C: Yeah, <CARD>4010928159013962</CARD>.",
    "C: The card number is <CARD>4 0 1 0 9 2 8 1 5 9 0 1 3 9 6 2</CARD>.",
    "C: It's <CARD>5130 4352</CARD>, sorry, <CARD>5130 4352 0561 7483</CARD>.",
    "C: <CARD>5130 4352 0561 7483</CARD>. || A: Let me read that back, <CARD>5130 4352 0561 7483</CARD>, is that right?",
    "A: Card number, expiry and the security code please. || C: <CARD>4666 1760 3137 2159</CARD>, <EXPIRY>08/27</EXPIRY>, <CVV>431</CVV>.",
    "A: What card would you like to use today? || C: My Mastercard, <CARD>five five five one, six seven eight oh, oh eight three seven, four oh seven one</CARD>.",
    "A: Go ahead. || C: <CARD>4849 2433</CARD> || A: Uh-huh. || C: <CARD>seven two one one, seven eight one five</CARD>.",
    "A: And the three digit security code on the back? || C: <CVV>seven two nine</CVV>.",
    "A: What's the CVV? || C: It's <CVV>482</CVV>.",
    "A: Can I get the security code please? || C: Um, <CVV>oh four one</CVV>.",
    "C: The code on the back of the card is <CVV>3 1 8</CVV>.",
    "A: For American Express I need the four digit security code on the front. || C: <CVV>two eight one seven</CVV>.",
    "A: And the CVC? || C: <CVV>Nine oh nine</CVV>.",
    "A: Last thing, the three digits on the back. || C: <CVV>Six five two</CVV>.",
    "A: What's the expiry date? || C: <EXPIRY>Oh five twenty six</EXPIRY>.",
    "A: When does the card expire? || C: <EXPIRY>December 2027</EXPIRY>.",
    "C: It expires <EXPIRY>11/28</EXPIRY>.",
    "A: Expiration date? || C: <EXPIRY>May twenty twenty-six</EXPIRY>.",
    "A: And the expiry? || C: <EXPIRY>zero nine slash two nine</EXPIRY>.",
    "C: Expiry is <EXPIRY>3/27</EXPIRY>.",
    "A: What's the expiration on that card? || C: <EXPIRY>twelve twenty-seven</EXPIRY>.",
    "A: Can I have your social security number? || C: <SSN>412-56-7781</SSN>.",
    "C: My social is <SSN>five three one, two two, eight oh four six</SSN>.",
    "A: And the last four of your social? || C: <SSN>6 6 1 9</SSN>.",
    "A: What's your SSN? || C: It's <SSN>078 62 5120</SSN>.",
    "A: I'll need your social security number to verify. || C: Sure, <SSN>six one two four four nine three seven one</SSN>.",
    "C: Oh and my number on file should be <SSN>523-81-9904</SSN>.",
    "A: Social security number, please. || C: <SSN>Two one two, double four, five nine six eight</SSN>.",
    "A: What's your social? || C: <SSN>three four one, two two</SSN> || A: Okay. || C: <SSN>seven seven one nine</SSN>.",
    "A: Can you confirm your date of birth? || C: <DOB>March 3rd, 1975</DOB>.",
    "A: Date of birth please. || C: The <DOB>fifth of January, nineteen eighty-five</DOB>.",
    "C: I was born on <DOB>July 14th, 1990</DOB>.",
    "A: What's your date of birth? || C: <DOB>oh four, twelve, eighty-eight</DOB>.",
    "A: And your birthday? || C: <DOB>11/02/1969</DOB>.",
    "A: For security, your date of birth? || C: Sure, it's <DOB>September twenty-first, nineteen seventy-two</DOB>.",
    "C: My DOB is <DOB>2-14-1983</DOB>.",
    "A: What year were you born? || C: <DOB>Nineteen sixty-four</DOB>.",
    "A: Can I get your date of birth? || C: The <DOB>30th of June 2001</DOB>.",
    "A: Date of birth? || C: <DOB>one, seventeen, ninety-nine</DOB>.",
    "A: What's the best number to reach you? || C: <PHONE>555-203-4471</PHONE>.",
    "C: You can call me on <PHONE>(312) 555-0198</PHONE>.",
    "A: Can I get a callback number? || C: <PHONE>Four one five, five five five, two six three eight</PHONE>.",
    "C: My cell is <PHONE>nine one seven, eight two two, four four oh one</PHONE>.",
    "A: And a phone number? || C: <PHONE>double two four, three oh three, one one eight nine</PHONE>.",
    "C: It's <PHONE>212 555 0143</PHONE>, that's my mobile.",
    "A: Phone number? || C: <PHONE>six one seven, five five five</PHONE> || A: Uh-huh. || C: <PHONE>oh one nine two</PHONE>.",
    "C: Text me at <PHONE>+1 646 555 0177</PHONE>.",
    "A: Home number? || C: <PHONE>555 0134</PHONE>.",
    "C: My number is <PHONE>07700 900 461</PHONE>.",
    "C: Call me back on <PHONE>7 0 8, 5 5 5, 9 1 2 0</PHONE>.",
    "A: What's your email address? || C: <EMAIL>john dot smith at gmail dot com</EMAIL>.",
    "C: It's <EMAIL>jsmith85@yahoo.com</EMAIL>.",
    "C: My email is <EMAIL>mary underscore jones at hotmail dot co dot uk</EMAIL>.",
    "A: And an email? || C: <EMAIL>d.rivera at acmewidgets.com</EMAIL>.",
    "C: Send it to <EMAIL>k l e e at outlook dot com</EMAIL>.",
    "A: Email please. || C: <EMAIL>tom.baker73 at gmail.com</EMAIL>.",
    "C: You can email me, it's <EMAIL>priya dash patel at icloud dot com</EMAIL>.",
    "C: My e-mail is <EMAIL>info at smithplumbing dot net</EMAIL>.",
    "C: <EMAIL>sarah.oneil@proton.me</EMAIL> is the best one.",
    "A: What's the billing address? || C: <ADDRESS>42 Elm Street, Springfield, Illinois 62704</ADDRESS>.",
    "C: I live at <ADDRESS>1600 Maple Avenue, apartment 4B</ADDRESS>.",
    "C: Ship it to <ADDRESS>twelve thirty-four Oak Drive, Austin, Texas</ADDRESS>.",
    "A: And the postcode? || C: <ADDRESS>SW1A 2AA</ADDRESS>.",
    "A: Zip code? || C: <ADDRESS>nine oh two one oh</ADDRESS>.",
    "C: It's <ADDRESS>221B Baker Street, London</ADDRESS>.",
    "C: My address is <ADDRESS>P.O. Box 5521, Tulsa, Oklahoma</ADDRESS>.",
    "C: We're at <ADDRESS>88 North 5th Street, Suite 300, Minneapolis</ADDRESS>.",
    "A: Can you confirm your address? || C: <ADDRESS>seven fifteen Willow Lane</ADDRESS>.",
    "C: The address is <ADDRESS>3 Kings Road, Brighton, BN1 1AA</ADDRESS>.",
    "A: What's the shipping address? || C: <ADDRESS>four oh nine Cedar Court, Unit 12, Denver, Colorado, 80203</ADDRESS>.",
    "A: What's your account number? || C: <ACCOUNT>8 8 2 1 4 0 5 7 3 3</ACCOUNT>.",
    "C: My account number is <ACCOUNT>00451278913</ACCOUNT>.",
    "A: And the routing number? || C: <ROUTING>017553715</ROUTING>.",
    "A: I'll need the routing and account numbers. || C: Routing is <ROUTING>one oh three, one three nine, two two one</ROUTING> and the account is <ACCOUNT>four four seven, two one nine, oh oh six</ACCOUNT>.",
    "C: It's the account ending in <ACCOUNT>4471</ACCOUNT>.",
    "A: Can you give me your member ID? || C: <ACCOUNT>7730 1846 22</ACCOUNT>.",
    "A: Your bank account number, please. || C: <ACCOUNT>double three one, five oh eight, two two four six</ACCOUNT>.",
    "A: And the ABA number? || C: <ROUTING>248001340</ROUTING>.",
    "C: The sort code is <ROUTING>20-45-77</ROUTING> and the account number <ACCOUNT>41592653</ACCOUNT>.",
    "A: Can I verify your date of birth and zip code? || C: <DOB>April 9th, 1981</DOB>, and <ADDRESS>three oh three one one</ADDRESS>.",
    "C: Sure, my phone is <PHONE>555-867-5309</PHONE> and email <EMAIL>jenny at gmail dot com</EMAIL>.",
    "A: Name and phone number? || C: Maria Lopez, <PHONE>seven one three, five five five, oh one four two</PHONE>.",
    "U: what's the card number || U: <CARD>4010 9281 5901 3962</CARD>",
    "U: can I have your date of birth please || U: yeah it's <DOB>june 4th 1979</DOB>",
    "A: I just need the expiry and the CVV. || C: <EXPIRY>Oh two twenty eight</EXPIRY> and <CVV>five five one</CVV>.",
    "A: Can I have the number on the front of the card? || C: <CARD>4 8 4 9</CARD>, <CARD>2 4 3 3</CARD>, <CARD>7 2 1 1</CARD>, <CARD>7 8 1 5</CARD>.",
    "A: And the long card number? || C: Okay, <CARD>five three oh five</CARD> || A: Yes. || C: <CARD>two one four eight</CARD> || A: Go on. || C: <CARD>seven seven four oh, oh oh oh oh</CARD>.",
    "A: To verify, what are the last four of your social? || C: <SSN>four four oh two</SSN>.",
    "C: My date of birth is the <DOB>2nd of February, 1958</DOB>.",
    "A: What's a good email for the receipt? || C: <EMAIL>bob_the_builder at yahoo.com</EMAIL>.",
    "A: What's your mailing address? || C: <ADDRESS>1 2 7 Sunset Boulevard, Los Angeles, California 9 0 0 2 8</ADDRESS>.",
]

HAND_CLEAN = [
    "C: My order number is 4521 8876 3310.",
    "A: Your order number is 1 1 4 5 9 2 0 3 7 7.",
    "C: It was $49.99 plus tax.",
    "A: That comes to one hundred twenty-five dollars and forty cents.",
    "C: I'll be home after 3:30 p.m.",
    "A: The technician arrives between eight and ten in the morning.",
    "C: I ordered 3 boxes, but only 2 arrived.",
    "A: Your flight is UA 1472 departing at 6:45.",
    "C: The model number is XR-5000.",
    "C: It's the model 7 3 4 4 1 2.",
    "A: The delivery is scheduled for March 3rd, 2025.",
    "C: I've been a customer since 2009.",
    "A: Your case number is 5 5 5 1 2 3 4 5 6 7.",
    "A: Please call us back at 1-800-555-0199.",
    "C: I waited 45 minutes on hold.",
    "A: The refund of 312.50 will post in 3 to 5 business days.",
    "C: We have 2 kids and 1 dog.",
    "A: Your confirmation code is 8 8 4 1 2 7 9 3 5.",
    "C: The tracking number is 1Z999AA10123456784.",
    "A: The total is 1,249 dollars.",
    "C: I'm calling about invoice 40021377.",
    "A: Press 1 for billing or 2 for support.",
    "C: The room number was 1204.",
    "A: Your ticket number is 7745 2210 9981.",
    "C: It happened on the 12th of May.",
    "C: The bill went up from 89 to 112 dollars a month.",
    "A: That plan is 29.99 a month for 12 months.",
    "C: I bought it on 04/15/2024 at your store.",
    "A: Our hours are nine to five, Monday to Friday.",
    "C: I'm 42 years old.",
    "A: We can offer you 20 percent off.",
    "C: The package weighs 5 pounds.",
    "C: My son was born in the hospital on Main Street.",
    "C: Gate B12, seat 14C.",
    "A: Version 2.4.1 fixed that.",
    "C: I called at 10 past 3 yesterday.",
    "A: That's 1 2 3 4 5 6 on the promo code.",
    "C: The error code is 0x80070005.",
    "A: Your new PIN will arrive in 7 to 10 days.",
    "C: I'm on the 4th floor, unit 12.",
    "A: The 2024 model has 256 gigabytes.",
    "C: My last bill was two hundred and forty dollars.",
    "C: I need it by the twenty-fifth.",
    "A: There are fifteen hundred customers affected.",
    "A: Lines are open from eight a.m. to eight p.m.",
    "C: The card was declined three times today.",
    "C: I paid with my Visa card, the 49 dollar one.",
    "A: The card ending in 4 4 2 1 was charged.",
    "C: My credit card bill was 1,200 dollars.",
    "A: Your account has been credited 35 dollars.",
    "C: I've had this account for 12 years.",
    "A: The account was opened in 2019.",
    "C: My birthday is next week, so I wanted it by Friday.",
    "A: What's the order number? || C: It's 7 7 3 9 0 1 4 2 2 8.",
    "A: Can I get the reference number? || C: Sure, R E F 4 4 9 1 2.",
    "A: Which flight was it? || C: BA 287 on the 14th.",
    "A: How many units did you order? || C: Twenty-four.",
    "A: What time works for you? || C: Quarter past four, or 5:15.",
    "A: What's the model on the sticker? || C: K L 5 5 0 0 dash 3.",
    "A: How much did they charge you? || C: $1,249.99.",
    "A: What's the ticket number? || C: Two one four, five five two, nine nine one eight.",
    "A: And the case number? || C: Six one two, four four, nine three seven one.",
    "A: Which store did you visit? || C: The one on Elm Street, near the 7-Eleven.",
    "A: When was the delivery? || C: January fifth, twenty twenty-four.",
    "A: When did you open the account? || C: Back in March 2015.",
    "A: How many people are on the plan? || C: Four, me and three kids.",
    "A: What's your preferred appointment date? || C: The 18th of October.",
    "A: What year is the car? || C: It's a 2017.",
    "A: And how old is the device? || C: About 3 years.",
    "A: What's the price you were quoted? || C: Four ninety-nine a month.",
    "A: How many minutes did you use? || C: About twelve hundred.",
    "A: What's the size? || C: Ten and a half.",
    "A: You can reach our team directly at 1-888-555-0123.",
    "A: Dial 9 1 1 if it's an emergency.",
    "C: I live on the 3rd floor.",
    "C: It's about 5 miles down the road from my house.",
    "C: Everything was fine until version 12.",
    "A: Your verification code is 4 8 2 9 1 1.",
    "A: It's extension 4417.",
    "C: The temperature was 72 degrees.",
    "C: Items 1 through 6 were missing.",
    "C: I'm calling about the 2 2 5 5 order.",
    "A: Thanks for calling, you're caller number 3 in the queue.",
    "C: Uh, it's, um, the one that costs fifty-five ninety-nine.",
    "C: I was born in Ohio, but moved here 10 years ago.",
    "C: My social media account got hacked.",
    "A: Our address is on the website.",
    "C: My email isn't working since the update to version 3.2.",
    "C: Let's meet at Starbucks at 3.",
    "C: I shop at amazon dot com all the time.",
    "C: Go to www dot example dot com slash help.",
    "A: We'll send it to the address on file.",
    "C: The charge was on March 3rd for 64 dollars.",
    "A: Your appointment is on 5/14 at 2 p.m.",
    "C: My kids are 7, 9 and 12.",
    "A: That'll be 4 to 6 weeks.",
    "C: I was on hold from 2:15 to 2:50.",
    "A: You've got 1,500 points, worth 15 dollars.",
    "C: The serial number is 4 7 1 1 9 2 8 3 3 0 5 6 1 2 7 8.",
    "C: It's the 2021 MacBook with the M1 chip.",
    "A: Your balance is 2,384 dollars and 12 cents.",
    "C: I need a table for 4 at 7:30.",
    "C: The security guard said to come back at 5.",
    "A: For security, can I confirm your name?",
    "C: I'd like 2 large pizzas delivered to the office.",
    "A: Your card will expire soon, the new one ships in 5 days.",
    "A: The card has a 5,000 dollar limit.",
    "C: It costs twenty-nine ninety-nine.",
    "A: I've noted your date of birth, thanks. How many devices do you have? || C: Three, maybe four.",
    "A: What's the best time to call you? || C: After 6 p.m.",
    "A: Can I get a phone number? || C: Sorry, I'd rather not give one.",
    "A: How many cards do you have with us? || C: Two cards and one account.",
    "A: Do you want to pay by card? || C: Yes, for order 4 4 5 1 2 9 8 7.",
    "C: The store on 5th Avenue was closed.",
    "A: We're open 24 hours, 7 days a week.",
    "C: I'd like to return 2 of the 3 items.",
]


# Written after the detectors were first tuned on the lists above and scored once, unseen, before
# any fix (first-pass figures in docs/redaction.md); kept apart as source "heldout".
HELDOUT_PII = [
    "A: alright and what card are we putting this on today || C: it's the visa <CARD>4 5 3 2 0 1 5 1 1 2 8 3 0 3 6 6</CARD>",
    "A: Okay, I'm ready for the card number. || C: Okay. <CARD>4532, 0151, 1283, 0366</CARD>. || A: And the expiration date? || C: <EXPIRY>Ten, twenty-eight</EXPIRY>. || A: And the security code? || C: <CVV>Seven, seven, three</CVV>.",
    "C: Let me get my wallet. Okay, it's <CARD>five four two five, two three three four, three oh one oh, nine nine oh three</CARD>.",
    "A: Number on the card? || C: <CARD>Forty-five thirty-two, oh one fifty-one, twelve eighty-three, oh three sixty-six</CARD>.",
    "C: the number is <CARD>4532 0151</CARD> um hang on <CARD>1283 0366</CARD>",
    "A: Please go ahead with your card details. || C: <CARD>3782 822463 10005</CARD>, expiring <EXPIRY>April 2029</EXPIRY>, and the code is <CVV>4421</CVV>.",
    "A: So that's a Mastercard ending in 9903, and the full number was <CARD>5425 2334 3010 9903</CARD>, correct? || C: Correct.",
    "A: What's the security code? || C: It's, uh, <CVV>two, zero, nine</CVV>.",
    "A: can you give me the three numbers on the back || C: yeah <CVV>six one four</CVV>",
    "A: And the expiry date on the card? || C: It's <EXPIRY>oh nine of twenty-seven</EXPIRY>.",
    "A: When does it expire? || C: <EXPIRY>June of 2030</EXPIRY>.",
    "A: For verification, could I get the last four digits of your social? || C: Yep, <SSN>nine two one one</SSN>.",
    "A: What is your Social Security number? || C: <SSN>Five two four, seven one, three three eight oh</SSN>.",
    "C: my ssn is <SSN>524713380</SSN>",
    "A: I need your full social to open the claim. || C: Okay. <SSN>Four six eight</SSN>. || A: Mm-hmm. || C: <SSN>Two two</SSN>. || A: Yep. || C: <SSN>Nine one oh seven</SSN>.",
    "A: And your date of birth? || C: <DOB>Twelfth of August, eighty-two</DOB>.",
    "A: Can I please have your date of birth? || C: Yeah, <DOB>August 12, 1982</DOB>.",
    "A: What's your birth date? || C: <DOB>8/12/82</DOB>.",
    "C: I'm the account holder, born <DOB>December 1st, 1960</DOB>.",
    "A: Can you verify your DOB for me? || C: <DOB>Nine, twenty-three, nineteen seventy</DOB>.",
    "A: What number can we reach you on? || C: It's <PHONE>two oh one, five five five, oh one two three</PHONE>.",
    "C: If we get cut off, my number is <PHONE>415-555-2671</PHONE>.",
    "A: Is there a phone number we can call you back on? || C: Yes, <PHONE>347 555 8821</PHONE>.",
    "A: What's the phone number on the account? || C: area code <PHONE>six one nine, five five five, four four three two</PHONE>.",
    "C: my cell's <PHONE>seven seven three five five five one two one two</PHONE>",
    "A: What's a good email? || C: <EMAIL>Kevin dot O'Brien at gmail dot com</EMAIL>.",
    "A: And what email should I send it to? || C: <EMAIL>lisa.m.wong@outlook.com</EMAIL>.",
    "C: Can you email it to <EMAIL>rick at rickjohnsonphotography dot com</EMAIL>?",
    "A: What's the email on file? || C: <EMAIL>dan underscore 1985 at hotmail dot com</EMAIL>.",
    "A: Email address? || C: It's <EMAIL>m k w at yahoo dot co dot uk</EMAIL>.",
    "A: What's the address for the delivery? || C: <ADDRESS>4512 West Grand Avenue, Chicago, Illinois, 60639</ADDRESS>.",
    "C: Please send the new card to <ADDRESS>19 Chestnut Road, apartment 2</ADDRESS>.",
    "A: And your street address? || C: <ADDRESS>Eleven twenty Pine Street</ADDRESS>.",
    "A: What's your zip? || C: <ADDRESS>9 4 1 0 3</ADDRESS>.",
    "C: I moved to <ADDRESS>77 Riverside Drive, Apt 5C, New York, NY 10024</ADDRESS>.",
    "A: What's the address on the account? || C: <ADDRESS>three twelve Highland Terrace</ADDRESS>.",
    "A: Could I have your checking account number? || C: <ACCOUNT>Three three four, oh nine eight, seven seven two, one</ACCOUNT>.",
    "A: And the routing number for that bank? || C: <ROUTING>Oh two one, oh oh oh, oh two one</ROUTING>.",
    "C: my account number is <ACCOUNT>1 2 0 0 4 5 6 7 8 9</ACCOUNT> and routing is <ROUTING>0 2 6 0 0 9 5 9 3</ROUTING>",
    "A: What's your member number? || C: <ACCOUNT>88127734</ACCOUNT>.",
    "A: Can I get your policy number? || C: <ACCOUNT>P O L 4 4 8 2 1 9 7 3</ACCOUNT>.",
    "A: And the card number? || C: <CARD>4916 3382</CARD> || A: Okay. || C: <CARD>9211</CARD> || A: Yep. || C: <CARD>0757</CARD>.",
    "A: Card number please. || C: <CARD>6011 0009 9013 9424</CARD>. || A: Thank you. And the name on the card? || C: Maria Gonzalez.",
    "C: I'll give you my card, it's <CARD>3 7 1 4 4 9 6 3 5 3 9 8 4 3 1</CARD>.",
    "A: and what's your home address || C: <ADDRESS>two hundred and five Lake Shore Drive</ADDRESS>",
    "A: can I get your date of birth || C: <DOB>february twenty ninth nineteen ninety two</DOB>",
    "A: Your social, please. || C: <SSN>001-22-3333</SSN>.",
    "A: Phone number? || C: <PHONE>Five five five</PHONE>, <PHONE>three two one</PHONE>, <PHONE>four four five five</PHONE>.",
    "C: My email address is <EMAIL>jane at doe dot org</EMAIL>.",
    "A: Security code? || C: <CVV>Nine nine nine</CVV>.",
    "A: Okay and the expiry? || C: <EXPIRY>O three twenty six</EXPIRY>.",
    "A: Okay I'll take the card number now. || C: <CARD>Four five five six</CARD>, <CARD>seven three seven five</CARD>, <CARD>eight six eight nine</CARD>, <CARD>nine eight five five</CARD>.",
    "A: And the sixteen digit number? || C: <CARD>4556 7375 8689 9855</CARD>. || A: Thanks, that's <CARD>4556 7375 8689 9855</CARD>.",
    "A: The billing zip code? || C: <ADDRESS>Three oh three oh two</ADDRESS>.",
]

HELDOUT_CLEAN = [
    "A: Thanks for calling, this is Dana, how can I help? || C: Hi, I'm calling about order 3 3 8 2 1 7 4 5.",
    "C: I was charged 79.99 twice.",
    "A: The new plan is 45 a month for the first 6 months.",
    "C: The bill says 1,342.17.",
    "A: I can schedule a technician on the 21st between 1 and 5.",
    "C: It's been about two weeks, since the 3rd.",
    "A: Your reference is A B C 1 2 3 4 5.",
    "C: It's 2 5 6 gigs, the 2022 model.",
    "A: Okay, that's 3 items at 19.99 each.",
    "C: The confirmation number they gave me was 9 8 7 6 5 4 3 2 1 0.",
    "A: Your ticket is 5 5 5 2 3 4 8 8 1 9.",
    "C: My flight number is DL 405 to Atlanta.",
    "A: We have you down for Thursday at 10:30.",
    "C: I've been with you guys since 2012.",
    "C: It's the TV, model 55 Q 8 0 B.",
    "A: That order shipped on January 14th.",
    "C: My husband was born in 1952 and he can't use the app.",
    "C: The router's serial is 2 2 1 4 6 6 9 0 3 8 7 1.",
    "A: You're number 4 in the queue, the wait is about 12 minutes.",
    "C: I paid 250 on the 15th and another 250 on the 30th.",
    "A: That will be 5 to 7 business days.",
    "C: We've got 3 lines and 2 tablets.",
    "A: The outage affected about 2,000 homes.",
    "C: It was around 9 at night.",
    "A: OK so the last four on the card are 1 1 1 1.",
    "A: How many devices? || C: Four.",
    "A: What time did it happen? || C: About eleven forty-five.",
    "A: How much was the charge? || C: Sixty-four twenty.",
    "A: What's the order number? || C: Four four nine one two three seven seven eight.",
    "A: And the case number you were given? || C: One two three, four five, six seven eight nine.",
    "A: Which flight? || C: United eleven forty-two.",
    "A: What was the amount? || C: Two hundred and thirty-five.",
    "A: What's the tracking number? || C: Nine four zero zero, one one one, two zero two, five five five, one two three.",
    "C: I'm calling about my card, it was declined at the store.",
    "C: I want to update my email and phone.",
    "A: Can you confirm your address for me? || C: Sure, it hasn't changed.",
    "A: What's your date of birth? || C: Sorry, can you hold on a second?",
    "C: My daughter's fifteen and my son is twelve.",
    "A: It's 10 percent off for 12 months.",
    "C: The email they sent said to call by 5.",
    "C: Room 2 1 4, building C.",
    "A: Your PIN was reset 3 days ago.",
    "C: I need to pay 300 dollars today and 300 next month.",
    "A: That's channel 2 0 6.",
    "C: Go to settings, then option 3, then 4.",
    "A: Our office is at the corner of 5th and Main.",
    "C: I bought it on Black Friday for 399.",
    "A: The next available date is March 12th, 2026.",
    "C: The delivery window was 8 to 12.",
    "A: Please hold for 2 minutes.",
    "C: I've called 4 times this week.",
    "A: There's a 25 dollar late fee.",
    "C: My account's been locked since Monday.",
    "A: The promo ends on 12/31.",
    "C: It says error 4 0 4.",
    "A: I'll call you back in 15 minutes.",
    "C: My daughter was born on a Tuesday.",
    "A: The security deposit is 150.",
    "C: Send the invoice to accounts at our company, they'll handle it.",
]

# A second unseen batch, scored once before the fixes it prompted (source "heldout2").
HELDOUT2_PII = [
    "A: What's the card number? || C: <CARD>4-9-1-6-3-3-8-2-9-2-1-1-0-7-5-7</CARD>.",
    "C: ok so the card is <CARD>4916, 3382, 9211, 0757</CARD> and it's a Visa debit",
    "A: Go ahead with the card. || C: <CARD>4916</CARD>. || A: <CARD>4916</CARD>. || C: <CARD>3382</CARD>. || A: <CARD>3382</CARD>. || C: <CARD>9211 0757</CARD>.",
    "A: Card number, please. || C: Um, hold on, I need my glasses. Okay, <CARD>five, four, two, five, two, three, three, four, three, oh, one, oh, nine, nine, oh, three</CARD>.",
    "A: What's the long number across the front? || C: <CARD>six oh one one, oh oh oh nine, nine oh one three, nine four two four</CARD>.",
    "A: And the security code on the back? || C: The last three digits are <CVV>eight six oh</CVV>.",
    "A: Three digit code please. || C: <CVV>5 0 2</CVV>.",
    "A: Can you read me the expiration date? || C: Yeah, it says <EXPIRY>zero seven slash twenty-nine</EXPIRY>.",
    "A: And when does it expire? || C: The end of <EXPIRY>March 2027</EXPIRY>.",
    "A: Can I confirm your Social Security number? || C: <SSN>Three six two dash four four dash one nine eight seven</SSN>.",
    "C: The IRS letter had my SSN on it, <SSN>362-44-1987</SSN>, is that a problem?",
    "A: Last four of the social? || C: <SSN>One nine eight seven</SSN>.",
    "A: Date of birth on the policy? || C: <DOB>Fourth of July, seventy-six</DOB>.",
    "A: Can you tell me your date of birth? || C: Sure, <DOB>January the 9th, 1994</DOB>.",
    "A: And the date of birth for your son? || C: <DOB>2/28/2011</DOB>.",
    "A: What's your DOB? || C: <DOB>Ten, ten, sixty-eight</DOB>.",
    "A: Best phone number for you? || C: <PHONE>Eight one eight, nine nine nine, two oh two oh</PHONE>.",
    "C: You can text me on <PHONE>917-555-3010</PHONE> after work.",
    "A: And a contact number? || C: <PHONE>07911 123456</PHONE>.",
    "A: What email should we use? || C: <EMAIL>j period doe at bigcompany dot com</EMAIL>.",
    "C: just send it to <EMAIL>maria.garcia.1990@gmail.com</EMAIL> please",
    "A: Can I grab an email address? || C: <EMAIL>T-O-M-W at yahoo dot com</EMAIL>.",
    "A: What's the address we should mail it to? || C: Apartment 3, <ADDRESS>1450 Jefferson Avenue, Boston, Massachusetts 02118</ADDRESS>.",
    "C: Our new place is <ADDRESS>52 Orchard Lane, Bristol, BS8 1TH</ADDRESS>.",
    "A: Zip code for the billing address? || C: <ADDRESS>6 0 6 1 4</ADDRESS>.",
    "A: And what's your account number with the bank? || C: <ACCOUNT>Seven seven three two one nine oh oh four five</ACCOUNT>.",
    "A: The routing number is on the bottom left of the check. || C: Okay. <ROUTING>Oh seven one, oh oh oh, oh one three</ROUTING>.",
    "A: What's your customer number? || C: <ACCOUNT>CU 88 41 20 93</ACCOUNT>.",
    "A: Your card number, please. || C: <CARD>3714 496353 98431</CARD>. || A: And the four digit code on the front? || C: <CVV>1 0 0 4</CVV>.",
    "C: my date of birth is <DOB>march 15 1966</DOB> and my zip is <ADDRESS>9 8 1 0 4</ADDRESS>",
]

HELDOUT2_CLEAN = [
    "C: My card got swallowed by the ATM on 5th Street.",
    "A: Okay, I see three transactions, 42.10, 18.75 and 6.",
    "C: It's a 2019 Honda with 60,000 miles.",
    "A: The fee is waived if you pay within 30 days.",
    "C: I'm on extension 2231 if you need me.",
    "A: Your order 8 8 2 1 4 4 0 9 will ship tomorrow.",
    "C: I called at 4:15 and again at 4:45.",
    "A: The reference for this call is 7 7 3 2 1 9 0 0 4 5.",
    "C: It took 3 to 4 weeks last time.",
    "A: We can do 15 off, so 84.99.",
    "C: Flight AA 2311 landed at gate 14.",
    "A: That's the 500 gig plan for 65 a month.",
    "C: I'm in apartment 4 but the buzzer doesn't work.",
    "A: The technician will be there between 12 and 4 on the 9th.",
    "C: I have 2 cards with you, a Visa and a Mastercard.",
    "A: Your claim number is 2 0 2 4 0 1 1 5 7 7.",
    "C: I was born and raised here, 40 years now.",
    "A: It renews on June 1st, 2026.",
    "C: The box says 1 of 2.",
    "A: Please allow 7 to 10 business days for the refund of 129.95.",
    "C: I'm calling for my mother, she's 82.",
    "A: Can you spell your last name? || C: S M I T H.",
    "A: How many times did it happen? || C: Like ten, eleven times.",
    "A: What's the order number on the email? || C: It's W X 4 4 9 1 8 2.",
    "A: What size did you order? || C: A 10, but I need a 12.",
    "A: What's the model on the back? || C: It says 5 5 U 7 3 0 0.",
    "A: Which year did you buy it? || C: Twenty nineteen, I think.",
    "A: What's the tracking number? || C: One Z, nine nine nine, A A one, zero one two three, four five six seven eight four.",
    "A: Which store number? || C: Store 1 4 8 8.",
    "A: What time did the outage start? || C: Around six thirty this morning.",
]

# Probes written while checking false redactions (after the held-out pass).
PROBE_PII = [
    "A: Could you give me the order ID and the email on the account? || A: Whenever you're ready. || C: 6128840391 || C: <EMAIL>pbrandt42@example.com</EMAIL>",
    "A: I need the order number and a phone number. || C: The order is 55120 and my phone is <PHONE>503 555 0187</PHONE>.",
    "A: What's the security code on the back? || C: <CVV>1 2 3</CVV>. || A: Thanks. How many tickets did you want? || C: 4 please, for the 7:30 show.",
    "A: Date of birth? || C: <DOB>1 2 1985</DOB>. || A: And how many people in the household? || C: Five.",
]

PROBE_CLEAN = [
    "C: I have two kids, one is four and one is seven.",
    "A: We'll give you a call back within 24 to 48 hours.",
    "C: My phone is an iPhone 12.",
    "C: My phone bill went from 85 to 120.",
    "C: The card expired in 2023.",
    "C: Can you text me the code 4 8 2 9 1 1?",
    "C: It's on page 4 of 12.",
    "C: Call me back between 2 and 4.",
    "C: The account balance is 4,512.",
    "C: I'm paying 1200 a month for rent.",
    "A: Your card number ends in 7 7 8 9, right?",
    "A: What's your phone number? || C: I don't have one, but the order is 7 7 8 9 1 2 3 4 5 6.",
    "A: What's your date of birth? || C: Sorry, I've got 2 kids screaming, one sec.",
    "A: And the expiry date? || C: Hang on, it's in the other room, 2 minutes.",
    "A: What's the security code? || C: I can't find it, it's been 10 years since I used this card.",
    "A: What's the security code? || C: Hold on. || A: Sure.",
    "A: What's your date of birth? || C: Um, do you need the year? It was the 80s.",
    "A: How many accounts do you have? || C: Three accounts, 2 checking, 1 savings.",
    "A: Can I have the card number? || C: Sure, one moment. || A: No problem. || C: Okay, so I bought it for 250 dollars on the 3rd.",
    "A: Can I get your account number? || C: It's on the letter, hold on. || A: Sure. || C: Sorry, I can only see the invoice, 4 4 7 1 2 3 9.",
    "C: I called 3 times, spent 45 minutes, and paid 19.99.",
    "C: The bus number 42 was late by 15 minutes.",
    "A: The total for 3 months is one hundred and twenty.",
    "C: Her birthday's on the 14th, can it arrive by then?",
    "A: I'll send a code to the phone ending in 4 4 1 2.",
    "A: Please call 0800 123 4567 for the fraud team.",
    "C: The meeting is at 10 30 tomorrow.",
    "C: I live at the end of the street, number 9.",
    "A: Your new card will arrive in 5 to 7 days, and the old one expires on the 30th.",
    "A: Thank you for your patience, it'll be about 2 or 3 minutes.",
    "C: It was 2 for 1, so four ninety-nine each.",
    "C: I'd like to order twelve hundred units of model 5 5 2.",
    "A: What's your email? || C: It's the same as my work one, I'll send it later at 5.",
    "C: My wife is at Walmart dot com looking for it.",
    "A: Can I get a contact number? || C: Use my husband's, he's at work until 6.",
]


# A third unseen batch in the style of Whisper transcripts of phone calls, written before looking at
# the detectors' code (only the phone-number policy was looked up) and scored once before any fix
# (source "heldout3"; first-pass figures in docs/redaction.md).  Card numbers are invented (valid
# Luhn sums), SSNs random valid-looking numbers.
HELDOUT3_PII = [
    # ---- card numbers
    "A: Okay, and what card will you be using today? || C: It's a Visa, <CARD>four three seven seven, five nine four five, eight oh seven nine, eight six nine one</CARD>.",
    "A: Go ahead whenever you're ready. || C: Okay so it's <CARD>4411. 1510. 9549. 4130</CARD>.",
    "A: Can I get the long card number? || C: Yeah, um, <CARD>44, 82, 69, 05, 92, 98, 18, 87</CARD>.",
    "A: And the card number? || C: Sure. <CARD>Four, four, seven, one. Eight, seven, two, zero. Seven, four, three, nine. Six, one, six, three.</CARD>",
    "A: What's the card number? || C: <CARD>4271 8685</CARD> || A: Mm-hmm. || C: <CARD>4312 1895</CARD>.",
    "C: Yeah I want to pay the balance off with my debit card, it's <CARD>four double oh seven, nine double four oh, two one seven six, one seven six six</CARD>.",
    "A: Alright, I'm ready for the card number. || C: Okay, it's uh <CARD>4667 5985</CARD>, uh, <CARD>8980 9051</CARD>.",
    "A: Card number please? || C: <CARD>Forty-four ninety-eight, sixty-two forty-seven, sixty forty-seven, fifty-eight seventy-nine</CARD>.",
    "A: So what's the number on the front of the card? || C: Okay. <CARD>Four two two five, one triple four, six two eight nine, seven nine two four</CARD>.",
    "A: Go ahead with the card number. || C: <CARD>4171 5169 3921 9473</CARD>. || A: Let me read that back, <CARD>4171 5169 3921 9473</CARD>? || C: That's right.",
    "C: the card number is <CARD>4968600352267545</CARD>",
    "A: What card are you using? || C: My Visa. || A: Okay, and the number? || C: <CARD>4 0 6 7 4 1 5 0 4 8 0 2 9 1 1 2</CARD>.",
    "A: Card number? || C: Yeah, so it's <CARD>4929 7434</CARD>, sorry, the light's bad in here, <CARD>7085 3735</CARD>.",
    "C: I'll just pay with the card. <CARD>Four nine six three, oh four six four, seven six four six, three two oh three</CARD>. Expires <EXPIRY>oh eight twenty eight</EXPIRY>.",
    "A: Can I have the sixteen digits on the card please? || C: Yep, <CARD>four zero three eight, two seven six eight, six one seven seven, five zero four one</CARD>.",
    "A: And the card number? || C: <CARD>Four three eight six</CARD>. || A: <CARD>Four three eight six</CARD>, okay. || C: <CARD>Seven seven eight six, seven oh eight nine</CARD>. || A: Mm-hmm. || C: <CARD>Two triple four</CARD>.",
    "A: Okay what's the card number? || C: Uh, it's <CARD>four six double five, five two two one, five nine double five, two two six seven</CARD>.",
    "A: Please read me the card number. || C: <CARD>4, 7, 5, 9, 4, 1, 7, 0, 9, 8, 7, 2, 5, 7, 7, 4</CARD>.",
    "A: Card number? || C: <CARD>Four five five three, eight seven oh two, seven two three three, one nine four two</CARD>, yeah.",
    "A: And what's the card number, please? || C: It's a Visa debit, <CARD>4785 9814 1431 6905</CARD>, and the expiry is <EXPIRY>11/27</EXPIRY>.",
    "A: What's the card number? || C: <CARD>4077 6604</CARD>. || A: Sorry, you cut out after <CARD>6604</CARD>. || C: <CARD>7212 4768</CARD>.",
    "C: Yeah, so the card I want to use is <CARD>four two four oh, six nine seven two, nine two two two, oh nine oh seven</CARD>.",
    "A: Okay go ahead with the card. || C: <CARD>46 78, 19 22, 67 15, 08 84</CARD>.",
    "A: Could you read me the card number? || C: Sure, it's <CARD>four five four one</CARD>, um, <CARD>nine eight two five</CARD>, uh, <CARD>one six two one</CARD>, <CARD>two three five one</CARD>.",
    "A: and the card number || C: yeah its <CARD>four four three eight eight one one oh eight oh six nine five six eight one</CARD>",
    "A: Can I take the card details? || C: Yes. The number is <CARD>4820 2134 0789 8435</CARD>, expiry <EXPIRY>0 3 / 2 9</EXPIRY>, and the three on the back are <CVV>5 5 1</CVV>.",
    "A: Card number? || C: <CARD>4085 3496 5275 4696</CARD>, no, sorry, <CARD>4699</CARD> at the end.",
    "A: What's the number on the card? || C: it's <CARD>four three nine five</CARD> || C: <CARD>eight seven nine oh</CARD> || C: <CARD>two two oh three</CARD> || C: <CARD>six five seven oh</CARD>",
    "C: Hi, I'd like to make a payment. My card number is <CARD>4105 0353 6532 1506</CARD>.",
    "A: Please go ahead with the card number. || C: Okay. <CARD>Four nine nine four. Oh seven three three. Two five one three. Seven nine four eight.</CARD>",
    "A: Which card will it be? || C: Mastercard. <CARD>Five one six four, two seven one one, five nine four nine, three two three six</CARD>.",
    "A: Go ahead. || C: <CARD>53 22 69 40 54 29 86 33</CARD>.",
    "A: And the card number please? || C: <CARD>Fifty-five forty, oh eight oh five, oh nine twenty-six, twenty-six seventy-nine</CARD>.",
    "A: What card would you like to use? || C: It's a Mastercard, <CARD>5406 9946 7056 1169</CARD>.",
    "A: Card number? || C: <CARD>Two two two one, eight three five one, seven two five six, six five one three</CARD>.",
    "A: What's the card number? || C: <CARD>Twenty-seven twenty, seventy-six ten, twenty-nine ninety-eight, ninety-four thirty-three</CARD>.",
    "A: And the long number? || C: <CARD>5267 5281</CARD> || A: Okay. || C: <CARD>9369 1133</CARD>",
    "A: Can you read me the card number? || C: so I'm looking at the card now, it's <CARD>five one seven seven, six three five seven, five seven three nine, one three nine five</CARD>",
    "A: What's the card number? || C: Um, hang on, let me find it. Okay. <CARD>5338, 5713, 3848, 5412</CARD>.",
    "A: Now the card number. || C: <CARD>Five five eight seven three six four two four oh six five five seven six one</CARD>.",
    "A: Which card? || C: The number is <CARD>five four six six, seven four eight one, oh nine two seven, one three six one</CARD>, and it expires <EXPIRY>June twenty-eight</EXPIRY>.",
    "A: Let me take the card number. || C: <CARD>2221 1265</CARD>, hold on, <CARD>4614 3712</CARD>.",
    "A: What card number? || C: <CARD>2 7 2 0 2 5 6 6 2 3 4 5 5 3 1 1</CARD>",
    "A: Could you read me the sixteen digits? || C: Yeah. <CARD>Five two eight five, eight five oh eight, one seven eight two, six five seven four</CARD>. || A: Thank you, and the security code? || C: <CVV>Four oh nine</CVV>.",
    "A: What's the card number? || C: It's an Amex, <CARD>3475 410819 68997</CARD>.",
    "A: Card number? || C: <CARD>Three seven eight one, four nine seven one two three, eight six two two five</CARD>.",
    "A: And which card? || C: American Express, <CARD>three four two nine, three three triple eight seven, four two nine eight seven</CARD>",
    "A: And the number on the Amex? || C: <CARD>3768 341319 38183</CARD>.",
    "A: Go ahead with the card number. || C: <CARD>Thirty-four thirty-five, oh one six four one eight, one eight seven two two</CARD>.",
    "A: Okay, card number? || C: <CARD>3781 536167 07601</CARD>.",
    "A: What's the card number? || C: It's a Discover card, <CARD>sixty eleven, ninety-four forty-five, fifteen sixty-one, sixty-nine seventy</CARD>.",
    "A: Go ahead and give me the card number. || C: <CARD>6561 2331 6533 8695</CARD>",
    "A: Card number please. || C: <CARD>Six oh one one, nine two four seven, four two two five, three one six nine</CARD>.",
    "A: Card number? || C: <CARD>3530 9210 3225 8485</CARD>.",
    "A: What's the card number? || C: <CARD>3686 039626 5766</CARD>.",
    "A: Card number? || C: <CARD>4380 4319 3598 2</CARD>.",
    "A: Card number please? || C: <CARD>6249 1781 6560 0604</CARD>.",
    "A: And the card number? || C: <CARD>4427 3719 1407 5410 526</CARD>.",
    "A: Do you have the card in front of you? || C: Yes. || A: Great, go ahead with the number. || C: <CARD>4620 9665 4287 0724</CARD>.",
    "A: Okay, I'll read it back to you. <CARD>Four two nine seven, one oh two eight, two two five one, two three nine six</CARD>. Is that correct? || C: Yes.",
    "A: What's the card number? || C: <CARD>4370 4505</CARD> || A: Okay, and the next eight? || C: <CARD>2855 9660</CARD>.",
    "A: Card number, please. || C: <CARD>Four five for two, five nine eight seven, four seven one seven, four two nine oh</CARD>.",
    "C: Can you take the payment on <CARD>4247 4116 6773 7310</CARD>? That's the card I used last time.",
    "A: All right, go ahead with the card number when you're ready. || C: Okay, I'm ready. So it's <CARD>4, 9, 7, 6</CARD>. <CARD>8, 6, 3, 3</CARD>. <CARD>5, 3, 8, 6</CARD>. <CARD>1, 4, 0, 7</CARD>.",
    "A: And the card number? || C: <CARD>four eight three one, six double oh eight, six nine nine three, four six seven three</CARD>",
    "A: Card number please. || C: Yeah, uh, <CARD>4365. 3268</CARD>. Sorry. <CARD>0861 7930</CARD>.",
    "A: Can I get your card number? || C: <CARD>Five one seven five, four one eight eight, two double oh two, oh eight seven five</CARD>. || A: Thank you. Expiry date? || C: <EXPIRY>Nine twenty-seven</EXPIRY>. || A: And the CVV? || C: <CVV>Three one two</CVV>.",
    "A: Please read the card number. || C: <CARD>5523 3552 5137 7904</CARD> || A: And that's a Mastercard ending in 7904? || C: Yep.",
    "A: What's the card number? || C: <CARD>Twenty-three hundred, forty-four thirty-five, twelve ninety-two, twenty-one twenty-six</CARD>.",
    "A: Card number? || C: <CARD>6011-1951-0724-6383</CARD>.",
    # ---- social security numbers
    "A: Can I get your social security number? || C: <SSN>Eight seven five, twenty-two, three one three three</SSN>.",
    "A: And your social? || C: <SSN>8 5 4 6 9 9 3 1 8</SSN>.",
    "A: What's your Social Security number? || C: It's <SSN>454-52-2209</SSN>.",
    "A: For the application I'll need your social. || C: Okay, <SSN>eight seven six, sixty-two, sixteen fifty-one</SSN>.",
    "C: my social is <SSN>896 15 3942</SSN>",
    "A: Could you verify the last four of your social? || C: <SSN>Six five five eight</SSN>.",
    "A: Can you give me the last four digits of your Social Security number? || C: Sure, <SSN>5030</SSN>.",
    "A: I need the full social security number to verify. || C: <SSN>Three nine nine</SSN>. || A: Okay. || C: <SSN>Seven nine</SSN>. || A: Mm-hmm. || C: <SSN>Six nine seven five</SSN>.",
    "A: What's your SSN? || C: Uh, <SSN>one eight nine, nine seven, four one four oh</SSN>.",
    "A: Social security number? || C: <SSN>Seven seven nine, one seven, oh two nine four</SSN>.",
    "A: And your social please. || C: <SSN>808 84 8158</SSN> || A: <SSN>808 84 8158</SSN>, thank you.",
    "A: Can I have your SSN? || C: <SSN>Oh four three, four three, seven five nine five</SSN>.",
    "C: They asked for my social on the form, I put <SSN>572-52-2699</SSN>.",
    "A: For security, what's your social security number? || C: <SSN>Eight nine five, one seven, two three three nine</SSN>.",
    "A: Your social security number, please. || C: Um, <SSN>three three two, fifty-six, thirty-six oh six</SSN>.",
    "A: And the social for the primary account holder? || C: <SSN>677 29 5829</SSN>.",
    "A: What's the last 4 of your social? || C: <SSN>4 7 2 9</SSN>.",
    "A: Can you confirm your social? || C: Yeah, <SSN>five thirty-one, eighty-seven, thirty-nine oh five</SSN>.",
    "A: I'll need your social security number. || C: <SSN>791</SSN> || A: Okay. || C: <SSN>28</SSN> || A: Yes. || C: <SSN>4525</SSN>",
    "A: SSN? || C: <SSN>Seven oh one, three nine, oh nine two four</SSN>.",
    "C: I'm calling about my tax form, my social security number is <SSN>seven five five, two three, seven two nine eight</SSN>.",
    "A: And what is your social? || C: It's <SSN>852-11-7523</SSN>.",
    "A: Please verify your social security number. || C: <SSN>Four three eight, nine three, double two nine four</SSN>.",
    "A: What's your social? || C: <SSN>Seven three three, forty-one, twelve fourteen</SSN>.",
    "A: Can I get the social on the account? || C: <SSN>095171767</SSN>",
    "A: And the last four of the social? || C: <SSN>Twenty-three oh one</SSN>.",
    "A: What's your social security number? || C: Sure. It's <SSN>six three two</SSN>, <SSN>oh one</SSN>, <SSN>five three two nine</SSN>.",
    "C: My SSN's <SSN>577-97-9479</SSN> if you need it.",
    "A: Social please. || C: <SSN>Five oh eight, oh three, six six eight nine</SSN>. || A: And your date of birth? || C: <DOB>April 4th, 1971</DOB>.",
    "A: To verify, I'll need your social security number and date of birth. || C: Social is <SSN>408 19 8740</SSN>, birthday <DOB>May 2nd, 1983</DOB>.",
    "A: What's your social? || C: <SSN>Eight eight four, three four, eight six six eight</SSN>.",
    "A: Can I get your Social Security number please? || C: <SSN>Oh five nine, seven four, seven two eight oh</SSN>.",
    "A: Your social? || C: <SSN>Six nine three, double six, seven five nine oh</SSN>.",
    "A: And the social security number? || C: Let me grab the card. Okay. <SSN>091-06-2435</SSN>.",
    "A: What's your social security number? || C: <SSN>Four seventy-one, twenty-six, fifty forty-one</SSN>.",
    "A: Last four of your social, please. || C: <SSN>Three three four eight</SSN>.",
    "A: I'll need the social for your wife as well. || C: Hers is <SSN>six nine six, five six, seven one one four</SSN>.",
    "A: And your social? || C: <SSN>318-65-0149</SSN>. || A: Got it, <SSN>318-65-0149</SSN>.",
    "C: I think somebody used my social security number, <SSN>245 35 7138</SSN>, to open an account.",
    "A: What's your social security number? || C: <SSN>Six six nine, sixteen, ninety-four eighty-eight</SSN>.",
    "A: Can you tell me your social? || C: yeah <SSN>four eight two eight seven seven three two oh</SSN>",
    "A: Full social, please. || C: <SSN>Oh two four, four four, oh two two eight</SSN>.",
    "A: What are the last four digits of your social? || C: It's <SSN>seventy-one eighty-seven</SSN>.",
    "A: Your social security number? || C: <SSN>459 07 5173</SSN>, yeah.",
    # ---- dates of birth, phones, e-mails
    "A: Can I get your date of birth? || C: <DOB>July seventeenth, nineteen seventy-nine</DOB>.",
    "A: And your date of birth? || C: <DOB>Oh three, oh nine, eighty-five</DOB>.",
    "A: Date of birth, please. || C: The <DOB>twenty-second of November, 1990</DOB>.",
    "A: Can you confirm your birthday? || C: <DOB>10/14/1962</DOB>.",
    "A: And what's the date of birth on the account? || C: Um, <DOB>September 3rd, '88</DOB>.",
    "A: What's the best number to reach you? || C: <PHONE>Three one two, five five five, oh one four seven</PHONE>.",
    "A: Can I get a callback number? || C: Yeah, it's <PHONE>(646) 555-0193</PHONE>.",
    "C: You can call me back at <PHONE>seven one four, eight eight two, three three oh one</PHONE>.",
    "A: Phone number on the account? || C: <PHONE>2 0 6 5 5 5 0 1 8 8</PHONE>.",
    "A: What's your cell number? || C: <PHONE>Nine seven two</PHONE>. || A: Okay. || C: <PHONE>Five five five, two four six eight</PHONE>.",
    "A: What email should I send the receipt to? || C: <EMAIL>John dot smith at gmail dot com</EMAIL>.",
    "A: Can I get your email address? || C: Yeah, it's <EMAIL>a dot patel eighty-eight at yahoo dot com</EMAIL>.",
    "A: And the email on file? || C: <EMAIL>rosie underscore m at outlook dot com</EMAIL>.",
    "C: Please send the confirmation to <EMAIL>dmitri.k@protonmail.com</EMAIL>.",
    "A: What's your email? || C: <EMAIL>sam dot lee at icloud dot com</EMAIL>, that's S-A-M.",
]

HELDOUT3_CLEAN = [
    # order, tracking, confirmation, reference numbers
    "A: Can I get the order number? || C: Yeah, it's one one two, four four seven eight one nine two, three three oh one four five six.",
    "C: The order number is 112-4478192-3301456.",
    "A: What's the tracking number? || C: 9400 1118 9922 3845 6712 09.",
    "A: Do you have the tracking number handy? || C: It's 1Z 999 AA1 01 2345 6784.",
    "A: And the order number? || C: Uh, four seven, seven one, two nine, oh three, eight eight.",
    "A: What's your confirmation number? || C: It's H, K, 7, 7, 2, Q.",
    "C: My confirmation code is X J 4 9 2 1.",
    "A: Your reference number for today is 5 5 0 2 1 9 8 8 3 4.",
    "A: I've opened a case for you, the case number is 0 3 4 7 7 1 9 2.",
    "A: Could you read me the invoice number at the top? || C: Sure, INV dash 2 0 2 4 dash 0 0 8 1 7.",
    "C: I've got the order confirmation here, order number 4 4 0 1 8 3 2 7 6 5 1 1 9 0 3 0.",
    "A: What's the order number? || C: 5 1 7 3, 2 8 8 4, 0 0 9 1, 6 6 2 7.",
    "A: Can you read me the order number from the email? || C: Yep, it's 7 0 1 5, 3 3 2 9, 8 8 1 4.",
    "A: The return authorisation number is R M A 8 8 3 1 0 2.",
    "C: The ticket number they gave me last week was 2 2 0 9 4 4 7 1 3.",
    "A: Your work order is number 6 1 1 8 0 4 2 2 7 5.",
    "A: What's the claim number? || C: Claim number is 3 0 1, 5 5, 7 7 2 4.",
    "A: And the booking reference? || C: Q, 7, P, 2, 9, X.",
    "C: It says order number four five six seven, eight nine oh one, two three four five, six seven eight nine.",
    "A: The shipment ID is 8 8 1 2 0 0 4 5 7 3 9 1.",
    "A: Do you have the receipt? There should be a transaction number at the bottom. || C: Yeah, 0 0 4 2 7 7 1 8 9 3 2 5.",
    "C: The package tracking is 7 7 4 8 9 0 1 2 3 6 5 5 for FedEx.",
    "A: Okay your new order number is going to be W 9 9 2 1 4 0 7.",
    "A: What's the ticket number on your screen? || C: INC 0 0 4 5 1 2 9 8.",
    "C: My rewards number is on the app, I don't have it.",
    "A: What's the order number? || C: Sorry, it's 3 3 4, 5 6, 7 8 9 0.",
    # prices and amounts
    "A: The total comes to $1,249.99.",
    "C: They charged me twelve forty-nine ninety-nine for the laptop.",
    "A: That'll be one thousand two hundred and forty-nine dollars and ninety-nine cents.",
    "C: The refund should be 87.45, not 78.45.",
    "A: Your balance is $3,417.20 and the minimum payment is $35.",
    "C: I was charged 19.99, then 19.99 again, then 24.99.",
    "A: The upgrade is an extra 15 a month, so 74.99 in total.",
    "C: It was on sale for two ninety-nine ninety-nine.",
    "A: How much did you pay? || C: Four hundred and fifty-nine.",
    "A: The early termination fee is 350 dollars.",
    "C: My last bill was 212.68 and this one is 398.12.",
    "A: What's the amount on the statement? || C: One thousand eight hundred and six dollars.",
    "A: I can offer you a credit of 25 dollars and 50 cents.",
    "C: The deposit was 2,500 and they only gave back 1,800.",
    "A: The annual fee is ninety-five dollars.",
    "A: How much do you want to pay today? || C: Let's do 500.",
    "C: The quote said 14,250 for the whole job.",
    "A: You have 42,318 points, that's worth about 423 dollars.",
    "A: The interest rate is 24.99 percent APR.",
    "C: It went up from 59.99 to 64.99 without any notice.",
    # times and dates
    "A: The technician will arrive between 8 a.m. and 12 p.m.",
    "C: I called at 11:42 this morning and waited till 12:15.",
    "A: We're open Monday to Friday, 8 to 8, and Saturday 9 to 5.",
    "A: What time works for you? || C: Any time after four thirty.",
    "C: The delivery was scheduled for the 14th, between 2 and 6.",
    "A: Your appointment is on Tuesday, March 18th, at 10:15.",
    "C: It happened on the 3rd of January, around 7:45 in the evening.",
    "A: The charge posted on 11/04 and was reversed on 11/06.",
    "A: When did you place the order? || C: October twenty-first, I think.",
    "A: Your contract ends on 6/30/2026.",
    "C: I ordered it on the 2nd and it still hasn't come, it's the 19th now.",
    "A: When did it stop working? || C: Around the twelfth, so like two weeks ago.",
    "A: Your next billing date is the 28th.",
    "C: Can you call me tomorrow at 9 30?",
    "A: The promotion runs from May 1st to May 31st.",
    "C: The outage started at like 2 in the morning and came back at 6.",
    "A: What date did you travel? || C: The fifteenth of August.",
    "A: I see a payment on 04/12/2024 for 89.00.",
    # flights and travel
    "C: I'm on flight UA 1 4 7 2 to Denver.",
    "A: Which flight are you on? || C: Delta eighteen oh six, departing at 7:20.",
    "C: My flight number is BA 2 8 3 and it was cancelled.",
    "A: Your new flight is AA 3 9 1 7, departing gate B 22 at 4:05.",
    "A: What's the flight number? || C: Southwest twenty-four fifty-one.",
    "C: The train was the 8:15 from platform 9.",
    "A: Your seat is 23 C and boarding starts at 6:40.",
    "A: Your hotel confirmation is 8 4 4 1 9 2 7 3 6.",
    "C: I was on the 7 o'clock flight, JetBlue 6 2 3.",
    "A: Which flight? || C: Uh, it's United, one one three eight.",
    "A: And the record locator? || C: K, L, M, four, five, N.",
    # model and serial numbers
    "C: It's a Samsung, model number S M dash G 9 9 1 U.",
    "A: Can you read me the model number on the sticker? || C: 6 5 Q 8 0 C F.",
    "C: I have the Dell XPS 15, the 9 5 2 0.",
    "A: What's the serial number? || C: It's 5 C D 2 1 4 4 7 8 1.",
    "A: Can you find the serial on the back? || C: Yeah, it's 4 4 7 1 9 0 2 8 3 3 6 1 5 2 0 7.",
    "A: I'll need the IMEI number, you can dial star hash zero six hash. || C: Okay, it's 3 5 6 9 3 8 0 3 5 6 4 3 8 0 9.",
    "C: The part number is 9 9 0 2 dash 1 1 4 dash 7.",
    "C: It's the WH 1000 XM4 headphones.",
    "A: What model is the router? || C: It says Nighthawk R 7 0 0 0.",
    "C: The printer is an HP OfficeJet 8 0 2 5 E.",
    "A: What's the model number of the fridge? || C: L F X S 2 8 9 6 8 S.",
    "C: The error code on the washer is 5 E, then it shows 4 C.",
    "A: What's the product code? || C: B 0 8 N 5 W R W N W.",
    "A: Can you read me the MAC address? || C: A 4, 8 3, E 7, 1 2, 0 0, F 9.",
    "C: The firmware version is 2.4.18.",
    "C: I have an iPhone 14 Pro with 256 gigs.",
    "A: What's the meter number? || C: Oh oh four seven, two two nine one, eight three.",
    "A: Which store number were you at? || C: Store number 2 2 9 0, on Main Street.",
    # quantities and measures
    "C: I ordered 24 boxes but only 18 arrived.",
    "A: That's 3 packs of 12, so 36 units.",
    "C: We need forty-eight chairs and six tables.",
    "A: The package weighs 14 pounds and it's 20 by 16 by 12.",
    "C: I've used 4.7 gigs of my 10 gig plan.",
    "A: You can have up to 5 lines on the plan.",
    "C: The car has 87,400 miles on it.",
    "A: How many did you order? || C: Two hundred and fifty.",
    "C: The room is about 12 by 14 feet.",
    "A: You've got 2 devices on the account and 1 tablet.",
    "C: I usually use around 900 kilowatt hours a month.",
    "A: Okay, so that's 3 adults and 2 children.",
    "C: There are 16 pieces in the set and 4 were broken.",
    "A: How many tickets? || C: Four, and two parking passes.",
    "C: The speed test says 450 down and 20 up.",
    # years
    "C: I've been a customer since 2009.",
    "C: It's a 2017 Camry.",
    "A: This model was discontinued in 2021.",
    "C: We bought the house back in nineteen ninety-eight.",
    "A: What year is the vehicle? || C: Twenty twenty-two.",
    "C: The warranty ran out in twenty twenty-three.",
    "C: I got this phone in 2019 and the battery's gone.",
    "A: What year did you open the account? || C: I think two thousand and eleven.",
    "C: My mom has had this number since the eighties.",
    # support numbers and extensions (toll-free and non-personal numbers are kept)
    "A: If you have any other issues, call us at 1-800-555-0142.",
    "A: The claims department is 1 8 8 8 5 5 5 0 1 9 9.",
    "A: You can reach billing on eight hundred, five five five, two three one oh.",
    "A: Please call the fraud line at 877-555-0177, they're open 24/7.",
    "A: Just dial 1-866-555-0123 and press 2.",
    "A: My direct extension is 4 4 1 2 if you need me.",
    "A: Press 1 for billing, 2 for technical support, or 3 for sales.",
    "A: The number for the warranty team is eight five five, five five five, oh one eight one.",
    "C: I called 0800 555 0199 and they sent me here.",
    "A: Text STOP to 7 2 1 6 6 to opt out.",
    "A: I'll send a verification code to the phone ending in 7 7 2 1.",
    "A: Your one-time code is 4 8 2 9 1 7, don't share it.",
    "C: I tried the number on the back of the card, 1-800-555-0110, but nobody answered.",
    "A: You can also text us at 8 8 8 4 4 7.",
    # card-related but not card data
    "A: I see the card ending in 4 4 1 2 was declined.",
    "C: It's my Visa, the one ending in eight three three oh.",
    "A: Your new card will arrive in 7 to 10 business days.",
    "C: I have three cards with you, and one of them expired in 2024.",
    "A: Your credit limit is 5,000 and you've used 1,250.",
    "A: Can I get the card number? || C: Oh, I don't have it on me, can I call back in 10 minutes?",
    "A: What's the card number? || C: Hang on, I've got like four cards here. || A: No problem. || C: Okay, it's the one from 2019, the blue one.",
    "A: What's the security code? || C: I don't know, the back is all scratched.",
    "A: What's your social security number? || C: I'd rather not give that over the phone.",
    "A: Could you verify the last four of your social? || C: Can I verify another way? || A: Sure, what's the zip code on the account? || C: I moved, so I'm not sure which one you have.",
    "A: And your date of birth? || C: Do you need mine or my husband's?",
    "A: What's the expiry date on the card? || C: Hold on, let me get my glasses.",
    "A: Card number? || C: I want to use the same card as last month.",
    # misc numbers
    "C: I'm in apartment 12 B, the buzzer is number 4.",
    "A: Go to settings, then page 2, then option 5.",
    "C: My kids are 4, 7 and 11.",
    "A: You're caller number 3 in the queue.",
    "C: Channel 2 0 6 isn't working, neither is 2 0 7.",
    "A: It's about a 20 minute drive from exit 14.",
    "C: The temperature is set to 72 but it's 80 in here.",
    "A: That's a 15 percent discount for 12 months.",
    "C: I scored 4 out of 5 on the survey.",
    "A: The Wi-Fi password is on the sticker, it's 8 characters.",
    "C: I've called like seven or eight times this month.",
    "A: We have 3 stores in the area, the closest is on Route 9.",
    "C: The box says version 3 point 2.",
    "A: Your ticket has a priority of 2 and the SLA is 48 hours.",
    "C: It's been down for 36 hours now.",
    "A: Can I put you on hold for 2 or 3 minutes?",
    "C: I'm at 40 percent battery and it was 100 an hour ago.",
    "A: We've had about 1,500 calls today about the outage.",
    "C: I need to return 2 of the 6 glasses.",
    "A: Your loyalty tier is gold, you have 12,880 points.",
]


# A fourth unseen batch, written after the fixes prompted by "heldout3" and scored once before any
# further change (source "heldout4"): an estimate of how the detectors do on new wording now.
HELDOUT4_PII = [
    "A: what's the card number || C: <CARD>four-nine-oh-eight, three-seven-four-two, oh-one-six-oh, four-nine-one-nine</CARD>",
    "A: Okay, I'm ready when you are. || C: Alright. <CARD>4330 3583</CARD>. || A: Yep. || C: <CARD>3052 6653</CARD>. That's it.",
    "C: Yeah I'd like to pay by card, the number is <CARD>48 19 58 23 90 76 01 30</CARD>.",
    "A: And the card number? || C: It's <CARD>four five five two, two nine three one, nine oh five one, eight five nine two</CARD>, it's a debit card.",
    "A: Could I get the card number, please? || C: Sure. Um. <CARD>4987</CARD>. Uh. <CARD>6285</CARD>. <CARD>8112</CARD>. <CARD>2519</CARD>.",
    "A: What's the long number on your card? || C: <CARD>Four two six four, seven eight nine two, six three, triple eight, five one four</CARD>.",
    "A: Card number? || C: <CARD>4067957068393423</CARD>, expiration <EXPIRY>twelve twenty-nine</EXPIRY>.",
    "A: Go ahead with the card number. || C: Okay. It's, uh, <CARD>forty-seven seventeen, ninety-nine forty-three, forty-nine twenty-two, forty-seven thirty-three</CARD>.",
    "A: Card number, please. || C: <CARD>4123 7850</CARD>, and then, let me just move my thumb, <CARD>3596 2935</CARD>.",
    "A: So what's the card number? || C: I've got it here, <CARD>4655 6306 4090 1835</CARD>. || A: And the three-digit code on the back? || C: <CVV>Two eight one</CVV>.",
    "A: What card are you paying with? || C: <CARD>4633, 1096, 5587, 7724</CARD>, that's my Visa.",
    "A: card number please || C: <CARD>4 5 4 2 9 9 5 5 5 2 2 6 4 1 5 0</CARD> || A: thank you",
    "A: Can you read the card number to me? || C: <CARD>Five one three one, seven eight two one, eight one two six, two five two two</CARD>.",
    "A: What's the card number? || C: <CARD>5276</CARD> || A: Mm-hmm. || C: <CARD>9551</CARD> || A: Mm-hmm. || C: <CARD>4003</CARD> || A: Yep. || C: <CARD>2849</CARD>",
    "A: And the Mastercard number? || C: <CARD>Fifty-four oh seven, twenty-eight eighty-six, forty-six seventy-five, sixty oh six</CARD>.",
    "A: Card number? || C: <CARD>5559-9769-5737-7398</CARD>.",
    "A: What's the number on the card? || C: <CARD>Two two two three, three nine two five, three four six one, four three six five</CARD>.",
    "A: And the Amex number? || C: <CARD>Three seven eight two, four nine six oh one one, eight seven oh nine six</CARD>.",
    "A: Card number please. || C: It's American Express, so it's <CARD>3470 900136 71352</CARD>.",
    "A: Card number? || C: <CARD>six zero one one, zero zero eight nine, five zero six five, five six seven seven</CARD>",
    "A: Card number? || C: <CARD>6534 2340</CARD>, sorry, I'm driving, <CARD>2923 0437</CARD>.",
    "A: Please confirm the card number. || C: It should be <CARD>4811 6361 7585 6873</CARD>. || A: Perfect, <CARD>4811 6361 7585 6873</CARD>, expiry? || C: <EXPIRY>Oh two, thirty</EXPIRY>.",
    "C: Can you charge the deposit to <CARD>4573 7561 3519 5929</CARD> please?",
    "A: What's the card number? || C: Oh, hang on. || A: Sure. || C: Okay, <CARD>five three one eight, nine three three oh, nine four three nine, eight nine two oh</CARD>.",
    # social security numbers
    "A: I'll need your social security number. || C: Okay, it's <SSN>oh two five, seven eight, seven four nine two</SSN>.",
    "A: What's your social? || C: <SSN>414-38-4650</SSN>.",
    "A: Can I have your social? || C: <SSN>two thirty, thirty-five, thirty-nine sixty-six</SSN>",
    "C: My social is <SSN>7 6 3 8 4 1 9 8 6</SSN>, I think that's what you need.",
    "A: Last four of your social? || C: <SSN>Nine six three three</SSN>.",
    "A: For verification, your Social Security number please. || C: <SSN>Eight four six</SSN>. || A: Okay. || C: <SSN>Fifty</SSN>. || A: Yes. || C: <SSN>Five two eight nine</SSN>.",
    "A: SSN? || C: <SSN>103 58 3291</SSN>",
    "A: Could you give me your social security number? || C: Um, <SSN>five one three, four five, three six seven eight</SSN>.",
    "A: And the social on the application? || C: <SSN>Seven five nine, six nine, five nine one six</SSN>.",
    "A: Social please. || C: Yeah, <SSN>six seven three, ninety-eight, oh three four oh</SSN>.",
    "A: What are the last four of your SSN? || C: <SSN>4999</SSN>.",
    "A: I need the full social. || C: <SSN>605</SSN>, <SSN>65</SSN>, <SSN>7718</SSN>.",
    "A: And your social security number? || C: <SSN>Six one three, six eight, double oh eight five</SSN>.",
    "C: They want my SSN, it's <SSN>134-95-2867</SSN>, can you update it on the account?",
    "A: Social security number please. || C: <SSN>Five oh three</SSN> || A: Mm-hmm. || C: <SSN>Nine one, nine four six eight</SSN>.",
    "A: And finally your social. || C: <SSN>Eight six nine, oh six, two four two nine</SSN>.",
    "A: Can I get your social security number? || C: <SSN>861 51 0631</SSN>, yeah.",
    "A: To verify, last four of the social? || C: <SSN>Thirty-four oh one</SSN>.",
]

HELDOUT4_CLEAN = [
    "A: Your order number is 1 1 4, 3 3 9 2 8 1 7, 5 5 0 4 2 1 9.",
    "C: The tracking number ends in 4 4 8 1.",
    "A: What's the order number? || C: B, X, seven, seven, one, four, two, nine.",
    "A: Do you have a reference number? || C: Yeah, it's 2 0 2 5 1 1 0 3 8 8 4 7.",
    "C: I was charged $1,049.00 on the 6th and $1,049 again on the 7th.",
    "A: That's two hundred and twelve dollars and forty cents in total.",
    "C: It was nine ninety-nine a month and now it's fourteen ninety-nine.",
    "A: The payoff amount is 8,412.36 as of today.",
    "C: I need it by 5 p.m. on Friday.",
    "A: We can send someone between 10 and 2 tomorrow.",
    "C: I've been waiting since 7:15.",
    "A: Your appointment is at quarter past three on the 22nd.",
    "C: My flight's DL 2 2 4 7 at 6:05 in the morning.",
    "A: Which flight? || C: American twenty-two thirty-one.",
    "C: It's the Series 7, forty-five millimetre.",
    "A: Can you read the model number? || C: K D 5 5 X 8 5 K.",
    "A: What's the serial number on the bottom? || C: S N 4 4 8 1 9 2 0 7 7 3 6.",
    "A: Serial number? || C: Five C G, two one one, four four nine, eight seven.",
    "C: I bought 3 of the 24 packs.",
    "A: You have 2 lines and 3 devices on this plan.",
    "C: I've got about 120 photos on there.",
    "C: It's a 2015 Ford with about 140,000 miles.",
    "A: This offer is valid until December 2025.",
    "C: We've lived here since twenty fourteen.",
    "A: For anything else, call 1 855 555 0133.",
    "A: The number for roadside assistance is 1-800-555-0166, it's on your card too.",
    "A: You can reach our team at eight four four, five five five, oh one one two.",
    "A: I'll text a code to the number ending in 0 3 1 8.",
    "A: Your card ending in 6 6 2 1 is now active.",
    "C: I have the card ending four four two nine in front of me.",
    "A: Your new PIN will arrive in a separate letter in 3 to 5 days.",
    "A: What's the card number? || C: Actually, can I pay with PayPal instead?",
    "A: Can I get your social? || C: I don't have it memorised, sorry.",
    "A: What's your date of birth? || C: Why do you need that?",
    "C: My son's 16 and my daughter's 13.",
    "A: You're at 87 percent of your data.",
    "C: I tried it 3 or 4 times and it said error 5 0 3.",
    "A: It's 15 dollars for the first month and 40 after that.",
    "C: The TV is 65 inches and it weighs about 50 pounds.",
    "A: Your case number is 0 0 9 2 8 4 7 1 1 5.",
    "C: The case number they gave me was one, two, three, four, five, six, seven.",
    "A: Your confirmation number is 7 7 1, 3 2, 9 0 8 4.",
    "A: The invoice number is 4 0 1 2 8 8 3 1 9 2 7 7 4 0 1 3.",
    "C: Order 6 0 1 1 4 4 8 2 9 0 1 3 3 7 5 2 never arrived.",
    "A: Press 9 to repeat these options.",
    "C: I'm on the 4th floor, room 4 1 2.",
    "C: I got the bill for 3 4 5 point 6 7.",
    "A: Your balance after the refund is zero.",
    "C: Like, 20 or 30 minutes ago.",
    "A: Delivery is 3 to 5 working days, or next day for 7.99.",
    "C: I'm calling about my 2 year contract that started in 2023.",
    "A: The fee is 4.99 per month, so 59.88 a year.",
    "C: My speed dropped from 900 to 100 megabits.",
    "A: The next available slot is Monday the 3rd at 11 30.",
    "C: The screen says code E 2 4.",
]


# A fifth unseen batch, written before reading the detectors' code (only docs/redaction.md, for the
# policy on what must survive) and scored once before any fix (source "heldout5"; first-pass figures in
# docs/redaction.md).  Card numbers are invented with valid Luhn sums across the schemes (Visa 13/16/19,
# Mastercard 5x and 2-series, Amex, Discover, JCB, Diners, UnionPay, Maestro); SSNs random valid-looking.
HELDOUT5_PII = [
    # ---- card numbers
    "A: okay go ahead with the card number when you're ready || C: yeah it's <CARD>4342 2812 4638 4973</CARD>",
    "A: And what's the long number across the front? || C: <CARD>Four oh two nine, oh seven seven oh, triple one five, double nine double six</CARD>.",
    "A: Card number please. || C: <CARD>Forty-nine forty-five, twenty-one eighty, eighty-three forty-four, fifty-two twenty-nine</CARD>.",
    "A: Alright, let's get that card number. || C: Okay the first eight are <CARD>4413 1934</CARD> || A: Okay. || C: and then <CARD>4463 1440</CARD>.",
    "A: What's the card number? || C: Um, <CARD>4783</CARD>, um, <CARD>3159</CARD>, uh, <CARD>8466</CARD>, um, <CARD>0974</CARD>.",
    "C: The card's <CARD>4708 9344 5066 2348</CARD>. || A: So that's <CARD>4708 9344 5066 2348</CARD>? || C: Correct.",
    "A: I'll need the card number, the expiry date and the three digit code on the back. || C: OK so <CARD>4316 9351 9972 4277</CARD>, expires <EXPIRY>09 28</EXPIRY>, and the code is <CVV>614</CVV>.",
    "A: Go ahead with the Visa number. || C: <CARD>four double oh one, two five three two, seven oh two one, four two seven nine</CARD>",
    "A: Could you read the numbers on the card for me? || C: Sure. <CARD>4-2-6-2, 6-7-3-1, 5-1-9-8, 1-1-7-1</CARD>.",
    "A: And the card number? || C: <CARD>4492 oh six eight three, 7960 seven one four oh</CARD>.",
    "A: card number || C: its <CARD>four seven six two nine four five nine oh seven one eight eight seven four eight</CARD>",
    "A: Can I take the card number? || C: <CARD>4766 8326</CARD> || A: Mm-hmm, keep going. || C: <CARD>8926 2493</CARD>",
    "A: Which card are we putting this on? || C: The Visa. <CARD>Four nine two six, six double oh five, five nine oh eight, nine six double four</CARD>.",
    "A: What's the card number? || C: <CARD>4132 2786 40</CARD>, sorry, let me start again. <CARD>4132 2786 4078 4810</CARD>.",
    "A: And the card number? || C: It's <CARD>49569196 37957025</CARD>.",
    "A: Card number? || C: <CARD>4321</CARD>. || A: Yep. || C: <CARD>8649</CARD>. || A: Uh-huh. || C: <CARD>6449 6254</CARD>.",
    "A: What's the number on the card? || C: <CARD>four nine three six nine eight triple four eight two six three six nine five</CARD>",
    "C: Okay the card is <CARD>4558 2764 9580 5792</CARD> || A: Let me just repeat that, <CARD>four five five eight, two seven six four, nine five eight oh, five seven nine two</CARD>. || C: yep",
    "A: card number expiry and security code please || C: <CARD>4940 2757 4055 9243</CARD> expiry is <EXPIRY>March 27</EXPIRY> and the security code is <CVV>5 0 8</CVV>",
    "A: Can you read me the card number? || C: Yeah hold on okay it is <CARD>4932 2485</CARD> um sorry <CARD>7499 6070</CARD>",
    "U: and the number on the card || U: <CARD>4906-8370-3691-2709</CARD>",
    "A: What's the card number, please? || C: <CARD>Four nine two three, one triple zero, zero one five eight, zero seven three one</CARD>.",
    "A: How would you like to pay today? || C: It's a Mastercard. <CARD>Fifty-one fifty-seven, ninety-seven fifty-nine, seventy-eight oh seven, seventy-two eighty</CARD>.",
    "A: Card number for the payment? || C: <CARD>5240 5371 3630 9515</CARD> and it expires <EXPIRY>10/27</EXPIRY>.",
    "A: And the card number? || C: <CARD>5353 9823</CARD> || A: Sorry, <CARD>5353 9823</CARD>? || C: Yes, then <CARD>8237 2853</CARD>.",
    "A: Go ahead with the number on the card. || C: <CARD>five four two one, four one double nine, four one oh one, oh one six nine</CARD>",
    "A: What's the card number? || C: Uh, <CARD>five five nine eight</CARD>, um, <CARD>one three three five</CARD>, uh, <CARD>oh three oh four, five nine two oh</CARD>.",
    "A: Card number? || C: <CARD>5542 9559 5952 2789</CARD> || A: And the CVC on the back? || C: <CVV>417</CVV>",
    "A: And the card? || C: <CARD>53 90 82 28 84 48 62 79</CARD>.",
    "A: What's the card number? || C: <CARD>Twenty-two twenty-three, seventy-two ninety-seven, twenty eighty, twenty-five fifty-three</CARD>.",
    "A: Card number please || C: <CARD>2500 6437 7811 1672</CARD>",
    "A: Could I have the card number? || C: <CARD>two seven one eight, one oh eight oh, nine six two three, two one five two</CARD>.",
    "A: And the Mastercard number? || C: <CARD>twenty-three forty-one, nine seven five four, eighty-nine sixty-two, fifty forty-three</CARD>",
    "A: What card would you like to use? || C: It's an Amex, <CARD>3493 899467 51622</CARD>.",
    "A: Card number? || C: <CARD>three seven one one, five one seven four eight six, nine nine one one five</CARD>",
    "A: The number on the American Express? || C: <CARD>3725 070378 28492</CARD> and the expiry <EXPIRY>0529</EXPIRY>",
    "A: Go ahead with the Amex. || C: <CARD>3452 583733</CARD> || A: Got it. || C: <CARD>68131</CARD>.",
    "A: And the card number? || C: <CARD>Thirty-seven eighty-nine, four one nine six five four, five four nine four four</CARD>.",
    "A: Which card? || C: It's Discover. <CARD>Sixty eleven, oh five eight oh, four five seven five, five seven one nine</CARD>.",
    "A: Card number please. || C: Yeah it's the Discover <CARD>6011 6862 2267 3329</CARD>",
    "A: And the long number on the card? || C: <CARD>6441 5100 5416 9711</CARD>.",
    "A: Card number? || C: <CARD>six five six eight, oh six four one, double oh six oh, five nine nine four</CARD>",
    "A: What's the card number? || C: <CARD>6499 9767 4342 5148</CARD>.",
    "A: What card are you using today? || C: It's a JCB card, <CARD>3528 1162 6612 3950</CARD>.",
    "A: Can I get the card number? || C: <CARD>three five eight nine, one five five oh, eight three five nine, three five one two</CARD>.",
    "A: Card number? || C: <CARD>3566 0807 5463 0780</CARD>",
    "A: What's the card number? || C: It's a Diners Club, <CARD>3615 304885 3811</CARD>.",
    "A: Card number please. || C: <CARD>three oh five oh, eight two six nine, eight six two two, two nine</CARD>.",
    "A: And the card number? || C: <CARD>3873 965244 4604</CARD>.",
    "A: Which card would you like to use? || C: UnionPay. <CARD>6276 5993 8769 7142</CARD>.",
    "A: Go ahead with the card number. || C: It's a long one, <CARD>6212 8156 7723 0039 294</CARD>.",
    "A: Card number? || C: <CARD>6243 6699 9834 2757 9</CARD>.",
    "A: What's the card number? || C: It's an old Visa, <CARD>4567 158 501 589</CARD>.",
    "A: Card number please. || C: <CARD>4706 0238 5504 1705 615</CARD>.",
    "A: Can you read out the card number? || C: <CARD>four nine seven eight, two five nine nine, oh eight seven nine, seven two eight seven</CARD>.",
    "A: How are you paying? || C: It's a Maestro debit card, <CARD>6759 0185 6323 6142</CARD>.",
    "A: And the debit card number? || C: <CARD>5018 0289 7987 4476</CARD>.",
    "A: What's the card number? || C: <CARD>4405 2358</CARD> || C: hang on my kid's yelling || C: okay <CARD>0915 6792</CARD>",
    "A: card number || C: <CARD>four two eight zero one two one seven five four nine nine four zero four one</CARD>",
    "A: Read me the card number when you're ready. || C: <CARD>Triple four nine, seven eight one five, oh six seven four, two five eight oh</CARD>.",
    "A: ok what's the card number || C: <CARD>forty-eight ninety-two, ninety-two seventy-seven, ninety-three seventy-six, eighty-three twenty-three</CARD>",
    "A: And which card would you like to use? || C: <CARD>4615 5134 2125 3627</CARD>, expiry <EXPIRY>11 28</EXPIRY> and the CVV is <CVV>303</CVV>.",
    "C: Just put the whole balance on <CARD>4603 3567 2125 4216</CARD>.",
    "C: I want to pay my bill with a card, <CARD>4445 9768 6830 7402</CARD>.",
    "A: What's the card number? || C: <CARD>4739 8475 double oh five four 6258</CARD>.",
    "A: The card number? || C: <CARD>fifty-one twenty-two fifty-seven ninety-three ninety-two forty-two twenty-three twenty</CARD>",
    "A: Okay, card number? || C: <CARD>Five four six nine. Seven five eight one. One six seven nine. Six nine nine two.</CARD>",
    "A: Card number? || C: Sure it's <CARD>2291 7545 3329 3367</CARD>. || A: And when does it expire? || C: <EXPIRY>August twenty-nine</EXPIRY>.",
    "A: And the Amex number please. || C: <CARD>3704 839714 89182</CARD>, and the four digits on the front are <CVV>2 2 7 1</CVV>.",
    "A: Discover card number? || C: <CARD>six oh one one, oh two double oh, six three four six, six one two four</CARD>.",
    # ---- social security numbers
    "A: Can I have your social security number please? || C: <SSN>332-20-6469</SSN>.",
    "A: What's your social? || C: <SSN>five two oh, two eight, oh six one five</SSN>",
    "A: I'll need your SSN to pull the file. || C: OK it's <SSN>841 69 1543</SSN>.",
    "A: Social security number? || C: <SSN>Three seven five, seventy-five, oh nine five one</SSN>.",
    "A: And your social? || C: <SSN>089566852</SSN>.",
    "A: Could you give me the last four of your social? || C: <SSN>1487</SSN>.",
    "A: What's the social on the account? || C: <SSN>Five six five, double five, oh nine six nine</SSN>.",
    "A: Can I get your social security number? || C: Um <SSN>eight four seven</SSN> um <SSN>seven three</SSN> <SSN>two oh two nine</SSN>",
    "A: For verification I need your full social. || C: <SSN>229</SSN> || A: Okay. || C: <SSN>81</SSN> || A: Mm-hmm. || C: <SSN>9552</SSN>",
    "A: Social please. || C: <SSN>oh six four seven four nine five nine four</SSN>",
    "C: My social security number is <SSN>407 07 3623</SSN>, I'm calling because someone opened a card with it.",
    "A: Can you verify your social? || C: It's <SSN>oh four eight, seventy-two, twenty-one eighty-two</SSN>.",
    "A: And the last four of your Social Security number? || C: <SSN>two three six four</SSN>",
    "A: What's your SSN? || C: <SSN>554-16-9354</SSN>. || A: <SSN>554-16-9354</SSN>, thank you.",
    "A: What's your social security number? || C: <SSN>Three sixteen, seventy-two, twenty-nine sixty-two</SSN>.",
    "A: I'll need your social. || C: Yeah <SSN>1 0 6 7 5 9 3 5 9</SSN>.",
    "A: Social security number please. || C: <SSN>six five five</SSN>. || A: Yes. || C: <SSN>two five, six one oh two</SSN>.",
    "A: Last four of the social? || C: <SSN>ten twenty-nine</SSN>.",
    "A: Can I have the social for the account holder? || C: It's my dad's, <SSN>578-08-3375</SSN>.",
    "A: What's your social? || C: <SSN>five oh nine, eight eight, eight seven one two</SSN>",
    "A: I need your social security number to continue. || C: <SSN>438 41 7629</SSN>",
    "A: What's the last four digits of your social? || C: Um, <SSN>five nine two five</SSN>.",
    "A: Social? || C: <SSN>Three oh seven, thirty-two, twenty-nine forty-six</SSN>.",
    "C: The IRS letter has my social on it, <SSN>716-32-1342</SSN>, and it's wrong.",
    "A: And your Social Security number? || C: <SSN>five eight nine</SSN>, <SSN>three nine</SSN>, <SSN>eight six oh five</SSN>.",
    "A: Can I get your social security number please? || C: Sure it's <SSN>507 44 7354</SSN>.",
    "A: And the social? || C: <SSN>Two nine five, seven eight, one two double oh</SSN>.",
    "A: What's your SSN? || C: <SSN>one two one, six six, six eight five one</SSN>",
    "A: Please confirm your social. || C: <SSN>169 97 5605</SSN>. || A: Thank you, and your date of birth? || C: <DOB>June 2nd 1979</DOB>.",
    "A: Your social security number? || C: <SSN>One five six, sixty-three, sixty-nine ten</SSN>.",
    "A: Social please. || C: <SSN>041-86-1272</SSN>",
    "A: I just need the last four of your social. || C: <SSN>nine three eight nine</SSN>",
    "A: And the social security number for the second applicant? || C: <SSN>Eight oh nine, four one, five five seven three</SSN>.",
    "A: What's your social? || C: <SSN>712459739</SSN>",
    "A: Social security number. || C: <SSN>Five oh nine, seventy-five, seventy-four seventy-five</SSN>.",
    "C: I got a letter saying my SSN <SSN>071 12 4423</SSN> was used on a loan application.",
    "A: Could you read me your social? || C: <SSN>four eight six, nine oh</SSN> || A: Okay. || C: <SSN>one oh six five</SSN>",
    "A: Can I verify your social security number? || C: It's <SSN>oh six three, nine four, five oh seven three</SSN>.",
    "A: And the last four of the social on file? || C: <SSN>73 02</SSN>.",
    "A: What's the SSN for your son? || C: <SSN>292-92-6321</SSN>.",
    # ---- dates of birth, phones, e-mails
    "A: and can you confirm your date of birth for me || C: yeah it's the <DOB>9th of October 1987</DOB>",
    "A: Date of birth? || C: <DOB>Twelve, oh three, nineteen seventy-one</DOB>.",
    "A: what's your birthday || C: <DOB>february twenty ninth two thousand</DOB>",
    "C: I was born <DOB>4/22/66</DOB>, if that helps.",
    "A: best number to call you back on || C: it's <PHONE>617 555 0123</PHONE>",
    "C: My cell's <PHONE>(503) 555-0177</PHONE>.",
    "A: And a daytime number? || C: <PHONE>Seven seven three, five five five, oh one six two</PHONE>.",
    "A: and what's the email || C: it's <EMAIL>m dot okafor at gmail dot com</EMAIL>",
    "C: Send it to <EMAIL>jtorres1990@outlook.com</EMAIL> please.",
    "A: Email address? || C: Sure, <EMAIL>lisa underscore wong twenty-two at yahoo dot com</EMAIL>.",
]

HELDOUT5_CLEAN = [
    # order, ticket, tracking, reference numbers
    "A: Can I get the order number? || C: It's 7 0 2, 5 5 1 9 3 8 4, 2 2 6 1 0 7 7.",
    "C: my order number is 114-2239071-6650214",
    "A: What's the tracking number? || C: 1Z 4F7 W92 03 8812 4471.",
    "A: Do you have the tracking number? || C: Yeah, 9 2 6 1 2 9 0 1 1 4 7 3 8 8 0 2 6 4 1 1 5 5.",
    "A: Your ticket number is 4 4 0 9 1 2 7.",
    "C: I've got a ticket open already, it's ticket number CS 8 8 1 4 0 2.",
    "A: The reference for this call is 4411 2233.",
    "A: Reference 4411 2233, that's for today's call.",
    "C: The confirmation number on the email is 5 5 8 2 1 9 4 0.",
    "A: Your booking reference is T, G, 4, 9, M, K.",
    "A: What's the order number? || C: Uh, it's four four one, two two three, nine nine eight.",
    "A: Can you read the order number from the packing slip? || C: Sure. Four five three nine, one four eight eight, zero three seven two, five five one seven.",
    "C: The order number is 4 5 3 9 1 4 8 8 0 3 7 2 5 5 1 7, it's on the slip.",
    "A: Your gift order reference is 5 4 2 1 9 9 0 1, it'll ship tomorrow.",
    "A: And the ticket number? || C: Ticket 2 0 2 6 0 3 1 1 4 5.",
    "A: I'm raising a complaint for you, the complaint reference is C R 0 0 4 4 1 8.",
    "A: What's the claim number? || C: 412-55-9081.",
    "C: The claim number is four one two, five five, nine oh eight one.",
    "A: Do you have the return number? || C: RMA 7 7 3 0 1 9.",
    "A: Your repair ticket is 8 1 2 3 3 0 4 4.",
    "A: The incident number is INC 0 0 7 7 2 1 4 9.",
    "C: They gave me a job number, 6 6 1 9 0 2 4.",
    "A: What's the PNR? || C: Z, Q, 4, R, 7, T.",
    "A: Do you have the invoice number? || C: Invoice 2 0 2 5 dash 0 4 4 1 9.",
    "A: The invoice number at the top right? || C: It's 8 8 0 1 4 4 2 9 7 1.",
    "C: I'm looking at invoice four four seven two, it says I owe 310 dollars.",
    "A: Your payment reference is RF18 5390 0754 7034, please quote it on the transfer.",
    "A: Please use the payment reference RF 7 1 2 3 4 5 6 7 8 9 so we can match it.",
    "A: The case ID is 0 0 1 4 7 7 2 9 3 5.",
    "C: My case number is five oh oh, two nine one, seven seven.",
    "A: What's the order number? || C: 3 3 0 1. || A: Uh-huh. || C: 8 8 4 2. || A: Okay. || C: 1 0 9 6.",
    "A: Can I have the order number? || C: Seven seven four four. || A: Okay. || C: Two one nine oh, three eight.",
    "A: The shipment number is 4 4 7 1 9 0 3 2 2 6 5 8.",
    "C: It says consignment number 0 8 4 4 1 2 9 7 3 on the label.",
    "A: Your new order is number one one four, double eight, seven two one nine.",
    "A: Your reservation number is 4 1 1 7 6 2 3 9.",
    "C: The voucher code is SAVE 2 0 and it didn't work.",
    "A: Your promo code is WINTER 1 5.",
    "C: I have the confirmation, it's 2 2 1, 4 4, 8 0 6 3.",
    "A: The RMA number is three three nine, oh one two, four four.",
    "C: Order number 4 9 1 6, 7 7 2 0, 1 1 3 8, 4 0 2 6 still hasn't shipped.",
    "A: Ticket number is 5 5 6 4 2 1 9 8 3 0 1 7 2 2 4 6.",
    "A: What's the tracking number? || C: 4 2 0 9 0 2 1 0 9 4 0 0 1 1 1 8 9 9 2 2 3 8.",
    "C: I got a text with a tracking link and the code TBA 3 0 4 4 1 9 8 8 7 2 1.",
    "A: What's the reference number on the letter? || C: Um, it's R E F, four four nine, two oh one.",
    "A: Your appeal reference is A P 2 0 2 5 0 0 9 1 3.",
    "C: The work order number they gave me was seven oh two nine three.",
    # prices, amounts, balances
    "A: Your balance is $2,341.97.",
    "A: The current balance on the account is four hundred and twelve dollars and eighteen cents.",
    "C: I paid 1,299 for it and now it's 999.",
    "A: The total with tax is 84.37.",
    "C: They charged me 4,411.22 instead of 441.12.",
    "A: The invoice total is $12,480.00, due on the 15th.",
    "C: it was like sixty four ninety nine",
    "A: That comes to one hundred and nineteen ninety-nine a month.",
    "A: How much would you like to pay today? || C: 250.",
    "A: How much would you like to pay? || C: Let's say two fifty today and the rest next week.",
    "C: The statement says 3,882.16 but I worked it out as 3,828.16.",
    "A: The minimum payment is $45 and the statement balance is $1,120.45.",
    "C: It's 7.99 a month but I was billed 79.90.",
    "A: I can refund the 32.50 delivery charge.",
    "C: I've paid about 6,000 dollars into this so far.",
    "A: Your pending balance is three thousand two hundred and six.",
    "A: The deposit is 500 and the first month is 1,450.",
    "C: The price on the website was 449 and at checkout it said 489.",
    "A: Your outstanding balance is 2 4 1 dollars 6 0.",
    "A: You'll see a credit of 19.99 on your next bill.",
    "C: I sent 2,000 and only 1,980 arrived.",
    "A: The late fee is 39 dollars, I can waive it this once.",
    "C: The repair quote was 1,850 but they're now saying 2,300.",
    "A: That plan is 45 a month for 24 months, so 1,080 in total.",
    "C: I'd like to pay 150 now and 150 on the first.",
    "A: The exchange rate was 1.27, so you were charged 126.84.",
    # times, dates, durations
    "A: We'll call you back between 2 and 4 this afternoon.",
    "C: I've been on hold for 45 minutes.",
    "C: I've been on hold for like an hour and twenty minutes.",
    "A: The engineer will be there at 8:30 on the 12th.",
    "C: can you call me back at quarter to nine",
    "A: It usually takes 3 to 5 working days.",
    "A: The refund will show in 7 to 10 business days.",
    "C: It was delivered on the 17th of March at 2:14 p.m.",
    "A: Your next bill is due on 04/15.",
    "A: The payment was taken on 03/02/2026.",
    "C: I called on the 4th, the 9th and again on the 11th.",
    "A: Your contract expires in March 2027.",
    "A: The promo code expires 12/31.",
    "A: Your warranty expires 06/27.",
    "C: The subscription renews on August 29th.",
    "A: Our lines are open from 8 till 10, seven days a week.",
    "C: The outage was from 11:15 to about 3:40.",
    "A: Your delivery window is nine forty-five to eleven forty-five.",
    "C: We moved in on the 1st of September 2024.",
    "A: The trial ends on the 14th.",
    "C: I ordered it on November 28th and it came December 6th.",
    "A: Your appointment's at ten past four on Thursday.",
    "C: The battery lasts about two and a half hours.",
    "A: The update takes 15 to 20 minutes.",
    "C: It's been three weeks and two days.",
    "A: The offer ends at midnight on 11/30.",
    "A: Your lease ends 09/2027.",
    "C: I'll be away from the 3rd to the 17th.",
    "A: The charge is dated 2026-01-14.",
    "C: I placed the order at 10:05 and cancelled at 10:09.",
    # flights, trains, travel
    "A: Which flight are you on? || C: BA 0 2 8 7 to Heathrow.",
    "C: My flight is United 4 4 7 1, it leaves at 6:55.",
    "A: Your flight is DL 1 2 0 8, seat 14 C.",
    "C: I'm booked on the 17:42 to Leeds.",
    "A: Which train? || C: The 7 0 4, platform 11.",
    "C: My train number is 2 1 5 4 and it got cancelled.",
    "A: Your new flight is AA twenty-nine oh four departing at 9 10.",
    "C: It was flight one one four nine from Chicago.",
    "A: Your coach leaves from bay 23 at 11:40.",
    "C: We're in car 9, seats 42 and 43.",
    "A: What's the flight number? || C: Emirates 0 0 7.",
    "A: Your rental is confirmation 3 3 9 0 1 7 2 4, pickup at terminal 5.",
    "C: The ferry was the 6:15 sailing.",
    "A: Which flight number? || C: EasyJet 8 4 4 1.",
    "C: I'm on the 8 o'clock out of gate 36.",
    # model numbers, serial numbers, devices
    "A: Can you read the serial number? || C: C 0 2 X K 1 J H J G 5 J.",
    "A: What's the model number? || C: It's RT dash AX 8 6 U.",
    "A: What's the serial on the box? || C: 4 4 7 1 2 9 0 3 8 8 1 6 2 0 5 3.",
    "C: the serial number is four four seven one two nine oh three eight eight one six two oh five three",
    "A: Can I get the IMEI? || C: 3 5 4 4 1 9 0 8 7 7 2 1 3 6 5.",
    "C: It's the model 5 5 Q 7 0 from 2023.",
    "A: What's the model of the boiler? || C: Combi 3 0 i.",
    "C: The fridge is a GSS 2 5 G S H S S.",
    "A: What's the product number on the sticker? || C: 8 Y 1 4 4 U A.",
    "C: The laptop is an Inspiron 1 5 3 5 2 0.",
    "A: Which version are you on? || C: 17.4.1.",
    "C: The serial starts with F, then 4 4 9 2 1 8 7 3.",
    "A: Read me the meter serial please. || C: E 1 0 K 0 4 4 7 1 9 2.",
    "A: What's the device ID on the screen? || C: 9 8 0 4 4 2 1 7 3 3 5 0.",
    "C: My router's the Archer C 6 4.",
    "A: What model is the TV? || C: It's a 65 inch, model 6 5 U 7 H.",
    "A: Can you read me the part number? || C: 3 3 1 dash 0 7 dash 2 2 4 5.",
    "C: It shows error code 0 x 8 0 0 7 0 0 5.",
    "A: What's the error message? || C: Error 4 0 4.",
    "C: The MAC address is 3 C colon 2 2 colon F B colon 1 8 colon 9 0 colon 0 4.",
    "A: What's the licence key? || C: X 4 4 B 9, 7 T 2 Q 1.",
    "A: What's the batch number on the packet? || C: L 2 4 0 9 1 7.",
    # postcodes/areas, places (not anyone's address)
    "A: Is the outage affecting the 30301 area too?",
    "A: We don't deliver to postcodes in the HS or ZE areas.",
    "C: The store on 5th Avenue said to call you.",
    "C: I'm stuck on the I 95 near exit 12.",
    "A: The depot is off Route 66, about 20 minutes away.",
    "C: I'm on the 4th floor, unit 12.",
    "A: You'll be in room 2 1 4, building 3.",
    "C: It's about 8 miles from here.",
    # quantities, percentages, years, misc
    "C: I ordered 12 and got 10.",
    "A: That's 4 boxes of 25, so 100 units.",
    "C: We need about three hundred and fifty copies.",
    "A: You've used 78 percent of your allowance.",
    "A: The interest rate is 19.9 percent.",
    "C: The battery's at 12 percent and it drops 5 percent every minute.",
    "A: You get a 10 percent discount for the first 6 months.",
    "C: I've had this phone since 2019.",
    "C: It's a 2012 Honda Civic.",
    "A: That model came out in twenty twenty-one.",
    "C: I've been with you since nineteen ninety-nine.",
    "C: My daughter is 17 and my son's 21.",
    "A: There are 4 people ahead of you in the queue.",
    "C: My internet is 500 meg but I'm getting 40.",
    "C: It weighs 23 kilos.",
    "A: The box is 60 by 40 by 30 centimetres.",
    "C: I've got 3 TVs, 2 laptops and 4 phones on the network.",
    "A: You have 18,442 points, which is about 184 dollars.",
    "C: It's channel 1 0 2.",
    "A: Press 4 then 1.",
    "C: I was on step 3 of 7 when it froze.",
    "A: You're number 2 in the queue.",
    "C: It's a 4 digit code, right?",
    "A: I'll send a six digit code to your email.",
    "C: The temperature is set to 21 degrees.",
    "A: About 1 in 20 customers have reported it.",
    "C: I scored 9 out of 10 on the last survey.",
    "A: The speed limit there is 30.",
    # toll-free and support numbers
    "A: You can call us back on 1-800-555-0199.",
    "A: The number is one eight hundred, five five five, oh one four four.",
    "A: For billing, call 888 555 0163.",
    "A: Our fraud team is on 1 8 3 3 5 5 5 0 1 2 8.",
    "A: If you need us after hours, it's 877-555-0111.",
    "C: I rang 0800 555 0144 first.",
    "A: Just call eight six six, five five five, oh one nine two.",
    "A: The customer care number is 1 844 555 0181.",
    "A: My extension is 3 3 1 9.",
    "A: Dial 611 from your mobile.",
    # card-related but not card data
    "A: The card ending in 5 5 2 1 was declined.",
    "C: I want to use the one ending in four four oh nine.",
    "A: I see two cards on file, one ending 7 7 3 1 and one ending 0 2 4 6.",
    "C: The card expired last month so I need a new one.",
    "A: Your replacement card will arrive in 5 to 7 days.",
    "A: What's the card number? || C: Hmm, I think I left my wallet in the car, give me 2 minutes.",
    "A: What's the security code? || C: I'm not sure which one that is.",
    "A: Can I have your social? || C: I don't feel comfortable giving that out.",
    "A: What's your date of birth? || C: Is that really necessary?",
    "A: And the expiry date? || C: Hang on, it's worn off.",
    "A: What's your phone number? || C: The same one I'm calling from.",
    "C: Your website says the card limit is 10,000.",
    "A: Your credit limit is going up from 3,500 to 5,000.",
    "A: The cash advance fee is 5 percent or 10 dollars.",
    "A: It takes 24 to 48 hours for the card to activate.",
    "C: I got charged twice, 89.99 and 89.99.",
    "A: The last four of the card on file are 1 2 0 8.",
    # websites and non-email
    "A: You can find the form at acme dot com slash returns.",
    "C: I went on www dot fastship dot com and it said error.",
    "A: It's all on our site at help dot acme dot com.",
    "C: I saw the deal at Best Buy dot com.",
]


# A sixth unseen batch for the types added with issue 14 — passwords, PINs and security answers
# (SECRET), people's names (NAME), e-mail addresses spelled out or read without a known provider and
# street addresses in the lower-case, spoken form Whisper writes — written and committed before those
# detectors existed, then scored once (source "heldout6"; first-pass figures in docs/redaction.md).
# The look-alikes are what must survive: company and product names, days and months, talk about
# passwords and security questions without the answer, web addresses, streets without a house.
HELDOUT6_PII = [
    # ---- passwords, memorable words, PINs, security answers (SECRET)
    "A: Could you give me the password on the account, please? || C: Yeah, the password is <SECRET>marmalade</SECRET>.",
    "A: What's the password on the account? || C: It's <SECRET>blue harbour</SECRET>.",
    "A: And can you confirm your password for me? || C: <SECRET>sunflower eighty two</SECRET>",
    "A: I just need the telephone password before we go on. || C: Sure, it's <SECRET>penguin</SECRET>, all lower case.",
    "A: For security, what's your memorable word? || C: My memorable word is <SECRET>lighthouse</SECRET>.",
    "A: Can I have the second and fourth letters of your memorable word? || C: <SECRET>R and T</SECRET>.",
    "A: Can you tell me your mother's maiden name? || C: Yeah, it's <SECRET>Hollis</SECRET>.",
    "C: my mother's maiden name is <SECRET>Fairbanks</SECRET>",
    "A: What was the name of your first pet? || C: Oh, that'd be <SECRET>Biscuit</SECRET>.",
    "A: The security question on file is the name of your first school. || C: <SECRET>St Anne's</SECRET>.",
    "A: What city were you born in? That's your security question. || C: <SECRET>Sheffield</SECRET>.",
    "A: And the answer to your security question? || C: um I think I put <SECRET>green bay packers</SECRET>",
    "A: Can I take your PIN please? || C: the pin is <SECRET>4 4 1 9</SECRET>",
    "A: What's the four digit PIN on the account? || C: <SECRET>seven two seven one</SECRET>.",
    "A: Could you confirm your passcode? || C: Yeah, <SECRET>nine oh nine oh</SECRET>.",
    "A: I'll need your account PIN to make that change. || C: It's <SECRET>2580</SECRET>. || A: Thank you.",
    "A: Can you give me the password, please? || C: Uh, hang on. || C: Okay, it's <SECRET>tigerlily</SECRET>.",
    "A: What's the password? || C: It's <SECRET>cardiff city one nine two seven</SECRET>.",
    "A: could you spell the password for me || C: sure it's <SECRET>m a p l e 7</SECRET>",
    "A: What's your favourite teacher's name? It's one of your security questions. || C: <SECRET>Mrs Doyle</SECRET>.",
    "A: What's the answer to your secret question? || C: The answer is <SECRET>pancakes</SECRET>.",
    "C: Oh I remember now, the password's <SECRET>rocket launch</SECRET>.",
    # ---- names (NAME), customers, third parties and the agent
    "A: Can I take your full name, please? || C: It's <NAME>Michael Grant</NAME>.",
    "A: Who am I speaking with today? || C: This is <NAME>Sarah Okafor</NAME>.",
    "C: Hi, my name's <NAME>Daniel Reyes</NAME> and I'm calling about my bill.",
    "A: Good morning, you're through to Northgate Telecom, my name is <NAME>John</NAME>, how can I help? || C: Hi <NAME>John</NAME>.",
    "A: Thank you for calling, you're speaking with <NAME>Aisha</NAME>. || C: Hello.",
    "A: Thank you, Mr <NAME>Grant</NAME>, you're verified.",
    "A: Thanks Mrs <NAME>Whitfield</NAME>, I've updated that now.",
    "C: The account's in my husband's name, <NAME>Tom Baxter</NAME>.",
    "A: And what name is the account under? || C: <NAME>Gareth Llewellyn</NAME>.",
    "A: Can I get your first and last name? || C: yeah it's <NAME>kevin o'brien</NAME>",
    "A: Could you spell your surname? || C: <NAME>K O W A L S K I</NAME>.",
    "C: I spoke to someone called <NAME>Megan</NAME> yesterday and she said it would be fixed.",
    "A: Is that <NAME>Priya Nair</NAME>? || C: Yes, that's me.",
    "C: It's <NAME>Mrs Helen Chambers</NAME>, I'm the account holder.",
    "A: And your name? || C: <NAME>Luis Fernandez</NAME>. || A: Thanks, <NAME>Luis</NAME>.",
    "C: Hello, I'm ringing on behalf of my mum, <NAME>Margaret Shaw</NAME>.",
    # ---- e-mail addresses spelled out or without a known provider (EMAIL)
    "A: What's the best email for you? || C: It's <EMAIL>jane dot dot n sample dot com</EMAIL>.",
    "A: And your email address? || C: <EMAIL>j smith at example dot com</EMAIL>",
    "A: Can I take an email address? || C: Yeah, it's <EMAIL>d r e y e s at northmail dot net</EMAIL>.",
    "C: my email is <EMAIL>sam underscore keller at brightwave dot co dot uk</EMAIL>",
    "A: Could you spell the email for me? || C: <EMAIL>p e t e r, dot, h a l l, at sign, fastpost dot org</EMAIL>.",
    "A: What email should the receipt go to? || C: <EMAIL>mike dash turner at turnerplumbing dot com</EMAIL>.",
    "A: Email address? || C: <EMAIL>anna dot b seventy one at webmail dot de</EMAIL>",
    "A: And the email on the account? || C: It's <EMAIL>rosie all one word at hotmail dot co dot uk</EMAIL>.",
    # ---- street addresses in spoken, lower-case form (ADDRESS)
    "A: And what's the address? || C: it's <ADDRESS>22 mill roads</ADDRESS>",
    "A: Can you confirm the first line of your address? || C: <ADDRESS>twelve oak street</ADDRESS>.",
    "A: What's the address for the installation? || C: <ADDRESS>flat 3 41 high street</ADDRESS>",
    "A: And the address? || C: <ADDRESS>number seven the crescent</ADDRESS>, <ADDRESS>Harrogate</ADDRESS>.",
    "C: I've moved to <ADDRESS>fifty six church lane</ADDRESS> last month.",
    "A: Where should we send the new router? || C: <ADDRESS>apartment 4b 19 victoria road</ADDRESS>.",
    "A: What's the first line of the address? || C: <ADDRESS>one hundred and five station approach</ADDRESS>.",
    "C: the engineer needs to come to <ADDRESS>88 kings avenue</ADDRESS> not the old place",
    "A: And your postcode? || C: <ADDRESS>L S six, two A B</ADDRESS>.",
    "A: Can I confirm the address, <ADDRESS>14 Brook Close</ADDRESS>? || C: That's right.",
]

HELDOUT6_CLEAN = [
    # talk about passwords, PINs and security questions without the secret itself
    "C: I forgot my password and now I'm locked out of the app.",
    "A: We will never ask you for your full password over the phone.",
    "A: You can reset your PIN in the app under settings.",
    "A: What's the answer to your security question? || C: Hold on, let me think, I can't remember what I set.",
    "C: The password reset email never arrived.",
    "A: Your new password needs at least eight characters and a number.",
    "A: I've sent a one-time passcode to your phone. || C: Okay, got it, thanks.",
    "C: I changed my PIN last week and now the card doesn't work.",
    "A: Can you confirm the password? || C: I don't have one set up, I don't think.",
    "A: The memorable word is the one you chose when you opened the account.",
    # company, product and place names, days and months
    "A: Thank you for calling Northgate Telecom, how can I help?",
    "C: I'm on the Fibre Max 500 package and it keeps dropping.",
    "C: I've got a Samsung Galaxy and an Apple iPad on the account.",
    "A: Your bill is due on Monday the fourth of March.",
    "C: It's been like this since June, every single evening.",
    "A: You'll get a text on Friday and the engineer comes on Tuesday.",
    "C: I was with Virgin Media before, and BT before that.",
    "A: Netflix and Amazon Prime are included with the Northgate Premium bundle.",
    "C: I'm calling from the Leeds office.",
    "A: The Northgate Store on the high street can swap the router for you.",
    "C: The shop on Mill Road was closed when I went.",
    "A: The outage covers the whole of Kent and parts of Sussex.",
    "C: May I ask why the price went up in April?",
    "A: I will mark the case as urgent.",
    "C: Can I speak to the account holder's team? I mean the billing team.",
    "A: Is the account in your name? || C: Yes, it's in my name.",
    "A: Can I take your name, please? || C: Sorry, can you hold on a second?",
    "A: Who am I speaking with? || C: I'm the account holder.",
    "C: The road was dug up outside the house last week.",
    "A: Let me check the address we have on file. || C: Sure, go ahead.",
    # web addresses and e-mail talk without an address
    "A: You can find it at northgate dot com slash help.",
    "A: Go to www dot northgate dot co dot uk and click on My Account.",
    "C: I never got the email, can you send it again?",
    "A: Just reply to the email we sent, it's from our billing team.",
    "C: I looked at it on the website, it said dot com slash offers.",
    "A: I'll drop you an email at the address we have on file.",
    # numbers and words near addresses that are not addresses
    "C: I live about twelve miles from the town centre.",
    "C: It's the second house on the left after the church.",
    "A: Our engineers cover 41 postcodes in that area.",
    "C: I'm on the 3rd floor, so the signal is weak.",
    "A: The router should sit at least two metres from the microwave.",
    "C: There are 22 flats in our building and all of them are down.",
    "A: Route 66 is the name of the bundle, it comes with sixty-six gigabytes.",
    "C: We moved in on the first of May.",
    "A: Have a lovely day, goodbye. || C: Thanks, you too.",
]


# --------------------------------------------------------------------------- spoken forms
ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORD = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
    11: "eleventh",
    12: "twelfth",
    13: "thirteenth",
    14: "fourteenth",
    15: "fifteenth",
    16: "sixteenth",
    17: "seventeenth",
    18: "eighteenth",
    19: "nineteenth",
    20: "twentieth",
    30: "thirtieth",
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def two(n: int, rng: random.Random) -> str:
    """A number 0-99 as spoken: 'oh five', 'eleven', 'forty-one'."""
    if n < 10:
        return f"{rng.choice(['oh', 'zero'])} {ONES[n]}" if rng.random() < 0.8 else ONES[n]
    if n < 20:
        return TEENS[n - 10]
    t, o = divmod(n, 10)
    return TENS[t] + ("" if o == 0 else ("-" if rng.random() < 0.7 else " ") + ONES[o])


def ordinal(n: int) -> str:
    if n in ORD:
        return ORD[n]
    t, o = divmod(n, 10)
    return f"{TENS[t]}-{ORD[o]}"


def digit_word(d: str, zero: str) -> str:
    return zero if d == "0" else ONES[int(d)]


def spoken_group(g: str, rng: random.Random, allow_double: bool = True) -> str:
    zero = rng.choice(["oh", "oh", "zero"])
    out: list[str] = []
    i = 0
    while i < len(g):
        if allow_double and i + 1 < len(g) and g[i] == g[i + 1] and rng.random() < 0.5:
            if i + 2 < len(g) and g[i + 2] == g[i] and rng.random() < 0.5:
                out.append("triple " + digit_word(g[i], zero))
                i += 3
                continue
            out.append("double " + digit_word(g[i], zero))
            i += 2
            continue
        out.append(digit_word(g[i], zero))
        i += 1
    return " ".join(out)


def paired_group(g: str, rng: random.Random) -> str:
    """'4111' → 'forty-one eleven'; odd lengths start with a single digit."""
    parts = []
    i = 0
    if len(g) % 2:
        parts.append(digit_word(g[0], "oh"))
        i = 1
    while i < len(g):
        n = int(g[i : i + 2])
        parts.append("double oh" if g[i : i + 2] == "00" else two(n, rng))
        i += 2
    return " ".join(parts)


def split(d: str, sizes: list[int]) -> list[str]:
    out, i = [], 0
    for s in sizes:
        out.append(d[i : i + s])
        i += s
    if i < len(d):
        out.append(d[i:])
    return [g for g in out if g]


def render(d: str, sizes: list[int], rng: random.Random, style: str | None = None) -> str:
    """A digit string the way Whisper may write it."""
    groups = split(d, sizes)
    style = style or rng.choice(
        ["digits", "digits", "dash", "words", "words", "words_comma", "mixed", "single", "paired", "run"]
    )
    if style == "digits":
        return " ".join(groups)
    if style == "dash":
        return "-".join(groups)
    if style == "run":
        return d
    if style == "single":
        return " ".join(d)
    if style == "words":
        return " ".join(spoken_group(g, rng) for g in groups)
    if style == "words_comma":
        return ", ".join(spoken_group(g, rng) for g in groups)
    if style == "paired":
        return ", ".join(paired_group(g, rng) for g in groups)
    # mixed: some groups digits, some words
    return ", ".join(g if rng.random() < 0.5 else spoken_group(g, rng) for g in groups)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# --------------------------------------------------------------------------- values
def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for c in "0123456789":
        d = body + c
        total = 0
        for i, ch in enumerate(reversed(d)):
            x = int(ch)
            if i % 2:
                x *= 2
                x -= 9 if x > 9 else 0
            total += x
        if total % 10 == 0:
            return d
    raise AssertionError


def card_number(rng: random.Random) -> tuple[str, list[int]]:
    kind = rng.choice(["visa", "visa", "visa", "mc", "mc", "amex", "disc", "mc2"])
    if kind == "visa":
        return luhn_complete("4", 16, rng), [4, 4, 4, 4]
    if kind == "mc":
        return luhn_complete(rng.choice(["51", "52", "53", "54", "55"]), 16, rng), [4, 4, 4, 4]
    if kind == "mc2":
        return luhn_complete(str(rng.randint(2221, 2720)), 16, rng), [4, 4, 4, 4]
    if kind == "amex":
        return luhn_complete(rng.choice(["34", "37"]), 15, rng), [4, 6, 5]
    return luhn_complete("6011", 16, rng), [4, 4, 4, 4]


def ssn(rng: random.Random) -> str:
    while True:
        a = rng.randint(1, 899)
        if a != 666:
            return f"{a:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def nanp(rng: random.Random) -> str:
    area = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    while area[1:] == "11" or area in ("800", "888", "877", "866", "855", "844", "833", "900"):
        area = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    return area + f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}" + f"{rng.randint(0, 9999):04d}"


def aba(rng: random.Random) -> str:
    while True:
        d = f"{rng.randint(0, 3)}{rng.randint(0, 9)}" + "".join(rng.choice("0123456789") for _ in range(7))
        x = [int(c) for c in d]
        if d[:2] != "00" and (3 * (x[0] + x[3] + x[6]) + 7 * (x[1] + x[4] + x[7]) + x[2] + x[5] + x[8]) % 10 == 0:
            return d


def year_words(y: int, rng: random.Random) -> str:
    if y < 2000:
        return f"{TEENS[y // 100 - 10]} {two(y % 100, rng)}"
    if y < 2010 and rng.random() < 0.5:
        return f"two thousand {'and ' if rng.random() < 0.5 else ''}{ONES[y % 10]}" if y % 10 else "two thousand"
    return f"twenty {two(y % 100, rng)}"


LEADS = ["", "", "", "Sure, it's ", "Yeah, ", "Um, ", "Okay, so ", "It's ", "Yes, ", "Uh, it's "]
FIRST = [
    "john",
    "mary",
    "priya",
    "wei",
    "carlos",
    "fatima",
    "liam",
    "olivia",
    "noah",
    "ava",
    "raj",
    "sofia",
    "james",
    "emma",
    "lucas",
]
LAST = [
    "smith",
    "jones",
    "patel",
    "nguyen",
    "garcia",
    "khan",
    "brown",
    "miller",
    "lopez",
    "wilson",
    "chen",
    "kim",
    "taylor",
]
PROVIDERS = ["gmail", "yahoo", "hotmail", "outlook", "icloud", "aol"]
STREETS = [
    "Maple",
    "Oak",
    "Cedar",
    "Elm",
    "Pine",
    "Washington",
    "Lincoln",
    "Park",
    "Lake",
    "Hill",
    "Sunset",
    "River",
    "Church",
    "Highland",
    "Forest",
    "Meadow",
    "Chestnut",
    "Walnut",
    "Spring",
    "Franklin",
]
SUFFIXES = [
    "Street",
    "Avenue",
    "Road",
    "Drive",
    "Lane",
    "Court",
    "Boulevard",
    "Place",
    "Way",
    "Terrace",
    "St",
    "Ave",
    "Rd",
]
CITIES = [
    ("Springfield", "Illinois"),
    ("Austin", "Texas"),
    ("Denver", "Colorado"),
    ("Portland", "Oregon"),
    ("Columbus", "Ohio"),
    ("Madison", "Wisconsin"),
    ("Raleigh", "North Carolina"),
    ("Tampa", "Florida"),
]
ACKS = ["Okay.", "Uh-huh.", "Yep.", "Mm-hmm.", "Go on.", "Got it.", "Yes.", "Okay, go ahead."]


OCLOCK = "o'clock"


def tag(t: str, s: str) -> str:
    return f"<{t}>{s}</{t}>"


# --------------------------------------------------------------------------- PII templates
def gen_card(rng: random.Random) -> str:
    d, sizes = card_number(rng)
    ctx = rng.choice(
        [
            "A: Can I take the card number, please?",
            "A: What's the long number on the front of the card?",
            "A: Go ahead with the card number when you're ready.",
            "A: Which card would you like to use?",
            "A: And the sixteen digits on the card?",
            "",
            "",
        ]
    )
    val = render(d, sizes, rng)
    lead = rng.choice(LEADS + ["My card number is ", "The card is ", "It's a Visa, "])
    if rng.random() < 0.3:  # split across turns with acknowledgements
        k = rng.choice([1, 2]) if len(sizes) > 2 else 1
        first, rest = d[: sum(sizes[:k])], d[sum(sizes[:k]) :]
        style = rng.choice(["digits", "words", "words_comma", "mixed", "single"])
        parts = [f"C: {cap(lead)}{tag('CARD', render(first, sizes[:k], rng, style))}."]
        if rng.random() < 0.5 and len(rest) > 8:
            mid, last = rest[: sizes[k]], rest[sizes[k] :]
            parts += [f"A: {rng.choice(ACKS)}", f"C: {tag('CARD', render(mid, [sizes[k]], rng, style))}."]
            rest = last
            rest_sizes = sizes[k + 1 :]
        else:
            rest_sizes = sizes[k:]
        parts += [f"A: {rng.choice(ACKS)}", f"C: {tag('CARD', render(rest, rest_sizes, rng, style))}."]
        body = " || ".join(parts)
    else:
        body = f"C: {cap(lead)}{tag('CARD', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_cvv(rng: random.Random) -> str:
    n = 4 if rng.random() < 0.15 else 3
    d = "".join(rng.choice("0123456789") for _ in range(n))
    ctx = (
        rng.choice(
            [
                "A: And the three digit security code on the back?",
                "A: Can I have the CVV, please?",
                "A: What's the security code?",
                "A: Last thing, the three digits on the back of the card.",
                "A: And the CVC number?",
                "A: Could you read me the security code on the back?",
            ]
        )
        if n == 3
        else "A: For Amex, the four digit security code on the front, please."
    )
    val = render(d, [n], rng, rng.choice(["digits", "words", "single", "paired", "words"]))
    return f"{ctx} || C: {cap(rng.choice(LEADS))}{tag('CVV', val)}."


def gen_expiry(rng: random.Random) -> str:
    m, y = rng.randint(1, 12), rng.randint(2025, 2034)
    style = rng.choice(["slash", "words", "month", "month_year", "digits", "oh"])
    if style == "slash":
        val = f"{m:02d}/{y % 100}" if rng.random() < 0.7 else f"{m}/{y % 100}"
    elif style == "words":
        val = f"{two(m, rng)} {two(y % 100, rng)}"
    elif style == "month":
        val = f"{MONTHS[m - 1]} {y}"
    elif style == "month_year":
        val = f"{MONTHS[m - 1]} {year_words(y, rng)}"
    elif style == "digits":
        val = f"{m:02d} {y % 100}"
    else:
        val = f"{spoken_group(f'{m:02d}', rng, False)} {two(y % 100, rng)}"
    ctx = rng.choice(
        [
            "A: What's the expiry date?",
            "A: And when does the card expire?",
            "A: Expiration date, please?",
            "A: What's the expiry on the card?",
            "A: And the expiration?",
        ]
    )
    return f"{ctx} || C: {cap(rng.choice(LEADS))}{tag('EXPIRY', val)}."


def gen_ssn(rng: random.Random) -> str:
    d = ssn(rng)
    if rng.random() < 0.15:
        last = d[-4:]
        ctx = rng.choice(
            [
                "A: Can you verify the last four of your social?",
                "A: And the last four digits of your social security number?",
            ]
        )
        return f"{ctx} || C: {cap(rng.choice(LEADS))}{tag('SSN', render(last, [4], rng))}."
    style = rng.choice(["dash", "digits", "words", "words_comma", "mixed", "single", "run"])
    val = render(d, [3, 2, 4], rng, style)
    ctx = rng.choice(
        [
            "A: Can I have your social security number?",
            "A: What's your social?",
            "A: And your SSN, please?",
            "A: To verify, I need your social security number.",
            "",
        ]
    )
    if not ctx and style not in ("dash", "digits", "words_comma", "mixed"):
        ctx = "A: What's your social?"
    if rng.random() < 0.15 and ctx:
        a, b = d[:5], d[5:]
        st = rng.choice(["words", "digits", "single"])
        return f"{ctx} || C: {tag('SSN', render(a, [3, 2], rng, st))} || A: {rng.choice(ACKS)} || C: {tag('SSN', render(b, [4], rng, st))}."
    lead = (
        rng.choice(LEADS + ["My social is ", "My social security number is "])
        if ctx
        else "My social security number is "
    )
    body = f"C: {cap(lead)}{tag('SSN', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_dob(rng: random.Random) -> str:
    y, m, dd = rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.choice(
        ["month_day_year", "month_ord_year_words", "day_of_month", "slash", "spoken_num", "dash", "year_only"]
    )
    if style == "month_day_year":
        val = f"{MONTHS[m - 1]} {dd}{'th' if dd > 3 else ['', 'st', 'nd', 'rd'][dd]}, {y}"
    elif style == "month_ord_year_words":
        val = f"{MONTHS[m - 1]} {ordinal(dd)}, {year_words(y, rng)}"
    elif style == "day_of_month":
        val = f"{ordinal(dd)} of {MONTHS[m - 1]}, {rng.choice([str(y), year_words(y, rng)])}"
    elif style == "slash":
        val = f"{m:02d}/{dd:02d}/{y}" if rng.random() < 0.6 else f"{m}/{dd}/{y % 100:02d}"
    elif style == "dash":
        val = f"{m}-{dd}-{y}"
    elif style == "spoken_num":
        val = f"{two(m, rng)}, {two(dd, rng)}, {two(y % 100, rng)}"
    else:
        val = year_words(y, rng) if rng.random() < 0.6 else str(y)
    if style == "year_only":
        ctx = rng.choice(["A: And what year were you born?", "A: Can you confirm your year of birth?"])
    else:
        ctx = rng.choice(
            [
                "A: Can you confirm your date of birth?",
                "A: What's your date of birth?",
                "A: For security, your date of birth please.",
                "A: And your birthday?",
                "",
            ]
        )
    lead = rng.choice(LEADS) if ctx else rng.choice(["I was born on ", "My date of birth is ", "My birthday is "])
    body = f"C: {cap(lead)}{tag('DOB', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_phone(rng: random.Random) -> str:
    d = nanp(rng)
    style = rng.choice(["dash", "paren", "digits", "words_comma", "words", "mixed", "single", "plus", "seven"])
    if style == "paren":
        val = f"({d[:3]}) {d[3:6]}-{d[6:]}"
    elif style == "plus":
        val = f"+1 {d[:3]} {d[3:6]} {d[6:]}"
    elif style == "seven":
        d = d[3:]
        val = render(d, [3, 4], rng, rng.choice(["dash", "words", "digits"]))
    else:
        val = render(d, [3, 3, 4], rng, style)
    ctx = rng.choice(
        [
            "A: What's the best number to reach you?",
            "A: Can I get a callback number?",
            "A: And a phone number?",
            "A: What's your cell number?",
            "",
            "",
        ]
    )
    if style == "seven" or (not ctx and style in ("words", "single")):
        ctx = "A: And your phone number?"
    if ctx and rng.random() < 0.15 and style not in ("seven", "paren", "plus"):
        return (
            f"{ctx} || C: {tag('PHONE', render(d[:6], [3, 3], rng, 'words_comma'))} || A: {rng.choice(ACKS)} || "
            f"C: {tag('PHONE', render(d[6:], [4], rng, 'words'))}."
        )
    lead = (
        rng.choice(LEADS) if ctx else rng.choice(["You can call me on ", "My number is ", "My cell is ", "Text me at "])
    )
    body = f"C: {cap(lead)}{tag('PHONE', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_email(rng: random.Random) -> str:
    f, last = rng.choice(FIRST), rng.choice(LAST)
    prov = rng.choice(PROVIDERS)
    num = str(rng.randint(1, 99)) if rng.random() < 0.3 else ""
    style = rng.choice(["written", "spoken", "spoken", "half", "underscore", "initial", "company"])
    if style == "written":
        val = f"{f}.{last}{num}@{prov}.com"
    elif style == "spoken":
        val = f"{f} dot {last}{(' ' + num) if num else ''} at {prov} dot com"
    elif style == "half":
        val = f"{f}.{last}{num} at {prov}.com"
    elif style == "underscore":
        val = f"{f} underscore {last} at {prov} dot com"
    elif style == "initial":
        val = f"{f[0]} {last}{num} at {prov} dot com"
    else:
        val = f"{f} at {last}{rng.choice(['plumbing', 'design', 'consulting', 'legal'])} dot {rng.choice(['com', 'net', 'co dot uk'])}"
    ctx = rng.choice(
        ["A: What's your email address?", "A: Can I get an email for the receipt?", "A: And your email?", ""]
    )
    lead = rng.choice(LEADS) if ctx else rng.choice(["My email is ", "You can email me at ", "Send it to "])
    body = f"C: {cap(lead)}{tag('EMAIL', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_address(rng: random.Random) -> str:
    num = rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 9999)])
    nstyle = rng.choice(["digits", "digits", "words", "paired"])
    if nstyle == "digits":
        n = str(num)
    elif nstyle == "words":
        n = spoken_group(str(num), rng, False)
    else:
        n = paired_group(str(num), rng) if num >= 100 else two(num, rng)
    street = rng.choice(STREETS)
    if rng.random() < 0.15:
        street = rng.choice(["5th", "Fifth", "3rd", "Main", "North Main", "Old Mill"])
    val = f"{n} {street} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.3:
        val += f", {rng.choice(['apartment', 'Apt', 'Unit', 'Suite'])} {rng.choice(['4B', '12', '301', '7'])}"
    if rng.random() < 0.6:
        city, state = rng.choice(CITIES)
        val += f", {city}"
        if rng.random() < 0.6:
            val += f", {state}"
            if rng.random() < 0.5:
                val += f" {rng.randint(10000, 99999)}"
    ctx = rng.choice(
        ["A: What's the billing address?", "A: Can you confirm your address?", "A: And the shipping address?", ""]
    )
    if rng.random() < 0.15:
        z = f"{rng.randint(10000, 99999)}"
        return f"A: {rng.choice(['And the zip code?', 'What zip code is that?', 'Can I get your zip?'])} || C: {cap(rng.choice(LEADS))}{tag('ADDRESS', render(z, [5], rng, rng.choice(['run', 'words', 'single'])))}."
    lead = rng.choice(LEADS) if ctx else rng.choice(["I live at ", "My address is ", "Ship it to ", "It's "])
    body = f"C: {cap(lead)}{tag('ADDRESS', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_account(rng: random.Random) -> str:
    n = rng.randint(8, 12)
    d = "".join(rng.choice("0123456789") for _ in range(n))
    sizes = [3] * (n // 3) + ([n % 3] if n % 3 else [])
    val = render(d, sizes, rng, rng.choice(["digits", "run", "words", "words_comma", "single", "mixed"]))
    ctx = rng.choice(
        [
            "A: What's your account number?",
            "A: Can I have the account number, please?",
            "A: And your bank account number?",
            "A: Could you read me your member ID?",
            "",
        ]
    )
    lead = rng.choice(LEADS) if ctx else rng.choice(["My account number is ", "The account number is "])
    body = f"C: {cap(lead)}{tag('ACCOUNT', val)}."
    return f"{ctx} || {body}" if ctx else body


def gen_routing(rng: random.Random) -> str:
    d = aba(rng)
    val = render(d, [3, 3, 3], rng, rng.choice(["digits", "run", "words", "words_comma", "single"]))
    ctx = rng.choice(
        ["A: And the routing number?", "A: What's the bank's routing number?", "A: Can I get the ABA routing number?"]
    )
    return f"{ctx} || C: {cap(rng.choice(LEADS))}{tag('ROUTING', val)}."


# --------------------------------------------------------------------------- look-alike templates
def gen_clean(rng: random.Random) -> str:
    kind = rng.choice(
        [
            "order",
            "order",
            "price",
            "price",
            "time",
            "time",
            "qty",
            "qty",
            "flight",
            "model",
            "date",
            "date",
            "year",
            "case",
            "percent",
            "room",
            "last4",
            "duration",
            "age",
        ]
    )
    n = rng.randint(6, 12)
    d = "".join(rng.choice("0123456789") for _ in range(n))
    if kind == "order":
        what = rng.choice(
            [
                "order number",
                "confirmation number",
                "tracking number",
                "reference number",
                "ticket number",
                "invoice number",
            ]
        )
        val = render(d, [3] * 4, rng)
        if rng.random() < 0.5:
            return f"A: What's the {what}? || C: {cap(rng.choice(LEADS))}{val}."
        return f"{rng.choice(['A', 'C'])}: {rng.choice(['Your', 'My', 'The'])} {what} is {val}."
    if kind == "case":
        d = "".join(rng.choice("0123456789") for _ in range(rng.choice([9, 10])))
        val = render(d, [3, 3, 4] if len(d) == 10 else [3, 2, 4], rng)
        return f"A: {rng.choice(['Your case number is', 'The claim number is', 'Your ticket number is'])} {val}."
    if kind == "price":
        dollars, cents = rng.randint(1, 2500), rng.randint(0, 99)
        val = rng.choice(
            [
                f"${dollars}.{cents:02d}",
                f"{dollars} dollars",
                f"{dollars}.{cents:02d} dollars",
                f"{two(dollars % 100, rng) if dollars < 100 else dollars} dollars and {cents} cents",
                f"${dollars:,}",
                f"{dollars} bucks",
            ]
        )
        return f"{rng.choice(['A', 'C'])}: {rng.choice(['It was', 'That comes to', 'The total is', 'I was charged', 'It costs', 'The refund is'])} {val}."
    if kind == "time":
        h, mi = rng.randint(1, 12), rng.choice([0, 15, 30, 45, 10, 20])
        val = rng.choice(
            [
                f"{h}:{mi:02d}",
                f"{h} p.m.",
                f"{h}:{mi:02d} a.m.",
                f"{ONES[h] if h < 10 else TEENS[h - 10]} {OCLOCK if not mi else two(mi, rng)}",
                f"{h} o'clock",
                f"half past {ONES[h] if h < 10 else TEENS[h - 10]}",
            ]
        )
        return f"{rng.choice(['A', 'C'])}: {rng.choice(['The technician will come at', 'Can you call back at', 'I was on hold until', 'We close at', 'The appointment is at'])} {val}."
    if kind == "qty":
        q = rng.randint(2, 500)
        val = rng.choice([str(q), two(q % 100, rng) if q < 100 else str(q)])
        unit = rng.choice(
            ["boxes", "items", "units", "people", "minutes", "days", "times", "pieces", "bottles", "licenses"]
        )
        return f"{rng.choice(['A', 'C'])}: {rng.choice(['I ordered', 'We need', 'It took', 'There were', 'I called', 'We have'])} {val} {unit}."
    if kind == "flight":
        code = rng.choice(["UA", "BA", "DL", "AA", "LH", "AF"])
        num = rng.randint(10, 9999)
        return f"C: {rng.choice(['I was on flight', 'My flight is', 'It was flight'])} {code} {num}{rng.choice(['', ' to Denver', ' on Tuesday'])}."
    if kind == "model":
        val = rng.choice(
            [
                f"XR-{rng.randint(100, 9999)}",
                f"model {render(d[:6], [3, 3], rng)}",
                f"version {rng.randint(1, 12)}.{rng.randint(0, 9)}",
                f"SKU {render(d[:8], [4, 4], rng)}",
                f"serial number {render(d, [4, 4, 4], rng)}",
            ]
        )
        return f"{rng.choice(['A', 'C'])}: It's the {val}."
    if kind == "date":
        m, dd, y = rng.randint(1, 12), rng.randint(1, 28), rng.randint(2018, 2026)
        val = rng.choice(
            [
                f"{MONTHS[m - 1]} {dd}, {y}",
                f"{m}/{dd}/{y}",
                f"the {ordinal(dd)} of {MONTHS[m - 1]}",
                f"{MONTHS[m - 1]} {ordinal(dd)}",
                f"{MONTHS[m - 1]} {year_words(y, rng)}",
            ]
        )
        return f"{rng.choice(['A', 'C'])}: {rng.choice(['It was delivered on', 'The appointment is on', 'I was charged on', 'The outage started on', 'Your plan renews on'])} {val}."
    if kind == "year":
        y = rng.randint(1995, 2025)
        return f"C: {rng.choice(['I have been a customer since', 'We moved here in', 'The car is from', 'I bought it back in'])} {rng.choice([str(y), year_words(y, rng)])}."
    if kind == "percent":
        return f"A: {rng.choice(['You get', 'That is', 'We can offer'])} {rng.randint(5, 50)} percent off."
    if kind == "room":
        return f"C: {rng.choice(['I am in room', 'Go to gate', 'It is aisle', 'Press option', 'I am on page', 'Call extension'])} {rng.randint(1, 4999)}."
    if kind == "last4":
        return f"A: {rng.choice(['The card ending in', 'Your Visa ending in'])} {render(d[:4], [4], rng, rng.choice(['digits', 'words', 'single']))} {rng.choice(['was declined.', 'is on file.', 'was charged.'])}"
    if kind == "duration":
        return f"C: {rng.choice(['I waited', 'It took', 'I have been on hold for'])} {rng.choice([str(rng.randint(2, 90)), two(rng.randint(2, 59), rng)])} {rng.choice(['minutes', 'hours', 'days', 'weeks'])}."
    return f"C: {rng.choice(['I am', 'My son is', 'She is'])} {rng.randint(5, 90)} years old."


def batch(source: str, pii: list[str], clean: list[str]) -> list[tuple[str, str, str]]:
    """One written batch as rows: its PII dialogues, then its clean ones."""
    return [(source, "pii", d) for d in pii] + [(source, "clean", d) for d in clean]


def main() -> None:
    rng = random.Random(20240607)
    rows: list[tuple[str, str, str]] = []
    rows += batch("hand", HAND_PII, HAND_CLEAN)
    rows += batch("heldout", HELDOUT_PII, HELDOUT_CLEAN)
    rows += batch("heldout2", HELDOUT2_PII, HELDOUT2_CLEAN)
    rows += batch("hand", PROBE_PII, PROBE_CLEAN)
    gens = [
        (gen_card, 45),
        (gen_cvv, 22),
        (gen_expiry, 22),
        (gen_ssn, 40),
        (gen_dob, 30),
        (gen_phone, 30),
        (gen_email, 25),
        (gen_address, 30),
        (gen_account, 22),
        (gen_routing, 18),
    ]
    for g, count in gens:
        rows += [("template", "pii", g(rng)) for _ in range(count)]
    seen = {d for _, _, d in rows}
    clean: list[str] = []
    while len(clean) < 260:
        c = gen_clean(rng)
        if c not in seen:
            seen.add(c)
            clean.append(c)
    rows += [("template", "clean", c) for c in clean]
    # appended last so that the ids of the earlier rows stay as they were
    rows += batch("heldout3", HELDOUT3_PII, HELDOUT3_CLEAN)
    rows += batch("heldout4", HELDOUT4_PII, HELDOUT4_CLEAN)
    rows += batch("heldout5", HELDOUT5_PII, HELDOUT5_CLEAN)
    rows += batch("heldout6", HELDOUT6_PII, HELDOUT6_CLEAN)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write("id\tsource\tcategory\tdialogue\n")
        for k, (src, cat, d) in enumerate(rows, 1):
            assert "\t" not in d and "\n" not in d
            fh.write(f"{k:04d}\t{src}\t{cat}\t{d}\n")
    print(f"wrote {len(rows)} dialogues to {OUT}")


if __name__ == "__main__":
    main()
