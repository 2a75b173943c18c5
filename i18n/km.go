package i18n

// MACHINE-DRAFTED TRANSLATION, AWAITING REVIEW BY A NATIVE KHMER SPEAKER.
//
// These Khmer texts were drafted by machine from the Vietnamese in vi.go and have not
// yet been checked by a person whose first language is Khmer. Before the Khmer pages
// are announced (Vĩnh Châu, Trần Đề, …), have a native speaker — ideally one who works
// with elderly people in the former Sóc Trăng — read every line, in context, on a
// phone; correct this file, and then delete this notice. Missing ids show in
// Vietnamese. The people are addressed as "លោក/លោកស្រី" (ông/bà).
var km = map[string]string{
	// The layout.
	"layout.switch":        "ភាសា",
	"contact.title":        "ត្រូវការជំនួយ?",
	"contact.call":         "ទូរស័ព្ទទៅមន្ត្រី",
	"contact.hours":        "ម៉ោងធ្វើការ៖",
	"contact.fallback":     "សូមសួរមន្ត្រីគោលនយោបាយនៅ %s។",
	"contact.fallbackText": "គណៈកម្មាធិការប្រជាជនឃុំ សង្កាត់ ដែលលោក/លោកស្រីរស់នៅ",
	"layout.free":          "សេវាឥតគិតថ្លៃ។",

	// The start page.
	"start.title":      "ចុះឈ្មោះគណនីដើម្បីទទួលប្រាក់ឧបត្ថម្ភ",
	"start.h1":         "ចុះឈ្មោះគណនីធនាគារ ដើម្បីទទួលប្រាក់ឧបត្ថម្ភប្រចាំខែ",
	"start.lead":       "លោក/លោកស្រីកំពុងទទួលប្រាក់ឧបត្ថម្ភសង្គម ប្រាក់សោធនសង្គម ឬប្រាក់ឧបត្ថម្ភអ្នកមានគុណនៅ %s មែនទេ? សូមជូនដំណឹងលេខគណនីធនាគារ ដើម្បីឱ្យប្រាក់ឧបត្ថម្ភផ្ទេរចូលគណនីដោយផ្ទាល់រៀងរាល់ខែ។",
	"start.who":        "អ្នកណាអាចចុះឈ្មោះបាន",
	"start.who.self":   "អ្នកដែលកំពុងទទួលប្រាក់ឧបត្ថម្ភផ្ទាល់។",
	"start.who.proxy":  "សាច់ញាតិជួយចុះឈ្មោះ ឬអ្នកទទួលជំនួស (ត្រូវមានលិខិតប្រគល់សិទ្ធិ ដែលមានការបញ្ជាក់ពីគណៈកម្មាធិការប្រជាជនឃុំ សង្កាត់)។",
	"start.bring":      "អ្វីដែលត្រូវរៀបចំ",
	"start.bring.id":   "អត្តសញ្ញាណប័ណ្ណ (CCCD) របស់អ្នកទទួលប្រាក់ឧបត្ថម្ភ៖ លេខ ១២ ខ្ទង់។",
	"start.bring.bank": "កម្មវិធីធនាគារនៅលើទូរស័ព្ទ (ដើម្បីថតកូដ QR ទទួលប្រាក់) ឬឈ្មោះធនាគារ និងលេខគណនី។",
	"start.bring.tel":  "លេខទូរស័ព្ទមួយ ដើម្បីទទួលលទ្ធផល (មិនបង្ខំ)។",
	"start.time":       "ចំណាយពេលប្រហែល ៥ នាទី។ ឥតគិតថ្លៃទាំងស្រុង។ មន្ត្រីមិនដែលសួរលេខសម្ងាត់ ឬលេខកូដ OTP ទេ។",
	"start.choose":     "ជ្រើសរើសឃុំ សង្កាត់ ដែលលោក/លោកស្រីរស់នៅ",
	"start.qr":         "បើមានលិខិតជូនដំណឹង ឬផ្ទាំងប្រកាសដែលមានកូដ QR លោក/លោកស្រីគ្រាន់តែស្កេនកូដនោះ។",
	"start.search":     "ស្វែងរកតាមឈ្មោះឃុំ សង្កាត់",
	"start.searchBtn":  "ស្វែងរក",
	"start.example":    "ឧទាហរណ៍៖ Vĩnh Châu",
	"start.found":      "មានឃុំ សង្កាត់ %d ដែលមានឈ្មោះ “%s”។",
	"start.all":        "មើលឃុំ សង្កាត់ទាំង %d",
	"start.none":       "គ្មានឃុំ សង្កាត់ណាមានឈ្មោះនេះទេ។ សូមវាយអក្សរតិចជាងនេះ មានសញ្ញាឬគ្មានសញ្ញាក៏បាន។",
	"start.other":      "វិធីផ្សេងទៀត",
	"start.lookup":     "បានចុះឈ្មោះហើយ? ពិនិត្យលទ្ធផល",
	"start.zalo":       "ចុះឈ្មោះតាម Zalo៖ តាមដាន Zalo OA រួចផ្ញើសារ “đăng ký”",
	"start.chat":       "ចុះឈ្មោះដោយការជជែក ម្តងមួយសំណួរ",
	"start.staff":      "មន្ត្រីចូលប្រើ",

	// Error pages.
	"error.chooseCommune": "ជ្រើសរើសឃុំ សង្កាត់",
	"error.lookup":        "ពិនិត្យលទ្ធផល",

	// The chat.
	"chat.title":     "ជជែកដើម្បីចុះឈ្មោះគណនី",
	"chat.masked":    "លេខ CCCD លេខគណនី និងលេខទូរស័ព្ទ បង្ហាញឡើងវិញតែ ៤ ខ្ទង់ចុងក្រោយប៉ុណ្ណោះ។",
	"chat.history":   "ការសន្ទនា",
	"chat.me":        "លោក/លោកស្រី៖",
	"chat.call":      "ទូរស័ព្ទទៅមន្ត្រី៖",
	"chat.say":       "ផ្ញើសារ",
	"chat.digits":    "គ្រាន់តែវាយលេខប៉ុណ្ណោះ។",
	"chat.send":      "ផ្ញើ",
	"chat.photo":     "ផ្ញើរូបថតកូដ QR ទទួលប្រាក់ ពីកម្មវិធីធនាគារ",
	"chat.photoHint": "ប្រព័ន្ធអានឈ្មោះធនាគារ និងលេខគណនីពីរូបថត លោក/លោកស្រីមិនចាំបាច់វាយទេ។",
	"chat.photoSend": "ផ្ញើរូបថត",
	"chat.commands":  "ចុចប៊ូតុងខាងលើ ឬវាយលេខ។ ដើម្បីឈប់ វាយ “hủy”; ដើម្បីជួបមន្ត្រី វាយ “gặp cán bộ”។",
}
