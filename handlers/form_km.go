package handlers

import (
	"ansinh"
	"ansinh/i18n"
)

// MACHINE-DRAFTED TRANSLATION, AWAITING REVIEW BY A NATIVE KHMER SPEAKER.
//
// The registration form's messages in Khmer (its field errors, warnings and the
// receipt's status), keyed by the Vietnamese constants of messages.go, as the chat's
// are (conversation/messages_km.go holds those the chat shares): the validators stay
// written in Vietnamese and render translates what a page shows on the way out. A
// changed Vietnamese text loses its translation and shows in Vietnamese, never a
// stale one. See i18n/km.go for what a native speaker must do before use.
func init() {
	i18n.RegisterChat(map[string]string{
		ansinh.MsgErrorTitle: "កំហុស៖ ",

		ansinh.MsgSessionExpired:    "យូរហើយមិនមានសកម្មភាព ដូច្នេះអ្វីដែលទើបបញ្ចូល ត្រូវបានលុប ដើម្បីសុវត្ថិភាពរបស់លោក/លោកស្រី។ សូមចាប់ផ្តើមឡើងវិញ។",
		ansinh.MsgCMNDOld:           "នេះជាលេខអត្តសញ្ញាណប័ណ្ណចាស់ (៩ ខ្ទង់)។ សូមបញ្ចូលលេខ CCCD ១២ ខ្ទង់៖ បោះពុម្ពលើអត្តសញ្ញាណប័ណ្ណថ្មី ឬមើលក្នុងកម្មវិធី VNeID។",
		ansinh.MsgCCCDProvince:      "លេខបីខ្ទង់ដំបូងនៃ CCCD មិនមែនជាលេខកូដខេត្ត ក្រុងណាមួយទេ។",
		ansinh.MsgCCCDRequired:      "ខ្វះលេខ CCCD។",
		ansinh.MsgBirthDayMonth:     "សូមបញ្ចូលទាំងថ្ងៃ និងខែកំណើត។ បើឯកសារកត់តែឆ្នាំកំណើត សូមចុះឈ្មោះដោយកូដ QR ផ្ទាល់ខ្លួននៅលើលិខិតជូនដំណឹងរបស់ឃុំ ឬនៅគណៈកម្មាធិការប្រជាជនឃុំ។",
		ansinh.MsgIdentityCheckCCCD: "សូមពិនិត្យលេខ CCCD ម្តងទៀត។",
		ansinh.MsgIdentityCheckDate: "សូមពិនិត្យថ្ងៃខែឆ្នាំកំណើតម្តងទៀត។",
		ansinh.MsgTriesLeft:         "ថ្ងៃនេះនៅសល់ %d ដងទៀត។ បើបញ្ចូលខុសទាំងអស់ ការចុះឈ្មោះដោយលេខ CCCD នឹងត្រូវផ្អាករហូតដល់ចប់ថ្ងៃ។",
		ansinh.MsgInvalidInput:      "ព័ត៌មានដែលបានផ្ញើមិនទាន់ត្រឹមត្រូវ។ សូមពិនិត្យម្តងទៀត។",
		ansinh.MsgFieldTooLong:      "ខ្លឹមសារវែងពេក។",

		ansinh.MsgWhoRequired:       "សូមជ្រើសរើសថា ប្រាក់ឧបត្ថម្ភផ្ទេរចូលគណនីរបស់អ្នកណា។",
		ansinh.MsgProxyNameRequired: "សូមបញ្ចូលឈ្មោះពេញរបស់អ្នកទទួលជំនួស។",
		ansinh.MsgProxyCCCDRequired: "សូមបញ្ចូលលេខ CCCD របស់អ្នកទទួលជំនួស។",
		ansinh.MsgProxyCCCDLength:   "សូមបញ្ចូលលេខ CCCD របស់អ្នកទទួលជំនួសឱ្យគ្រប់ ១២ ខ្ទង់។",
		ansinh.MsgProxyCCCDSame:     "នេះជាលេខ CCCD របស់អ្នកទទួលប្រាក់ឧបត្ថម្ភ។ សូមបញ្ចូលលេខ CCCD របស់អ្នកទទួលជំនួស។",
		ansinh.MsgProxyPhoneNeeded:  "សូមបញ្ចូលលេខទូរស័ព្ទរបស់អ្នកទទួលជំនួស ១០ ខ្ទង់ ចាប់ផ្តើមដោយលេខ 0។",
		ansinh.MsgProxyRelation:     "សូមសរសេរទំនាក់ទំនងជាមួយអ្នកទទួលប្រាក់ឧបត្ថម្ភ (ឧទាហរណ៍៖ កូន ចៅ)។",
		ansinh.MsgAuthPhotoTooLarge: "រូបថតលិខិតប្រគល់សិទ្ធិធំពេក។ សូមថតម្តងទៀតដោយទំហំរូបតូចជាងនេះ (អតិបរមា 8 MB)។",
		ansinh.MsgAuthPhotoType:     "សូមជ្រើសរើសរូបថតលិខិតប្រគល់សិទ្ធិ (រូបភាព JPG ឬ PNG)។",

		ansinh.MsgAccountOrQR:       "សូមជ្រើសរើសរូបថតកូដ QR របស់គណនី ឬជ្រើសរើសធនាគារ ហើយបញ្ចូលលេខគណនីខាងក្រោម។",
		ansinh.MsgBankRequired:      "សូមជ្រើសរើសធនាគារ។",
		ansinh.MsgAccountNumberNeed: "សូមបញ្ចូលលេខគណនី ពី ៦ ដល់ ១៩ ខ្ទង់។",
		ansinh.MsgAccountRequired:   "ខ្វះលេខគណនី។",
		ansinh.MsgAccountLength:     "លេខគណនីមានពី ៦ ដល់ ១៩ ខ្ទង់។",

		ansinh.MsgHolderChoose:  "សូមជ្រើសរើសឈ្មោះម្ចាស់គណនី។",
		ansinh.MsgHolderTyped:   "សូមបញ្ចូលឈ្មោះម្ចាស់គណនី ដូចនៅលើកាត ឬក្នុងកម្មវិធីធនាគារ។",
		ansinh.MsgHolderNeither: "ឈ្មោះនេះខុសពីឈ្មោះអ្នកទទួលប្រាក់ឧបត្ថម្ភ និងឈ្មោះអ្នកទទួលជំនួស។ ប្រាក់ឧបត្ថម្ភផ្ទេរតែចូលគណនីដែលជាឈ្មោះរបស់អ្នកណាម្នាក់ក្នុងចំណោមអ្នកទាំងពីរប៉ុណ្ណោះ។ សូមពិនិត្យម្តងទៀត; បើពិតជាឈ្មោះនេះ សូមចុច “បន្ត” ម្តងទៀត។",
		ansinh.MsgHolderNotSelf: "ឈ្មោះនេះខុសពីឈ្មោះអ្នកទទួលប្រាក់ឧបត្ថម្ភ។ ប្រាក់ឧបត្ថម្ភផ្ទេរតែចូលគណនីដែលជាឈ្មោះរបស់អ្នកទទួលប្រាក់ឧបត្ថម្ភ (ឬអ្នកទទួលជំនួសដែលបានប្រគល់សិទ្ធិ) ប៉ុណ្ណោះ។ សូមពិនិត្យម្តងទៀត; បើពិតជាឈ្មោះនេះ សូមចុច “បន្ត” ម្តងទៀត។",
		ansinh.MsgPhoneFormat:   "សូមបញ្ចូលលេខទូរស័ព្ទ ១០ ខ្ទង់ ចាប់ផ្តើមដោយលេខ 0 ឧទាហរណ៍ 0912 345 678។",

		// The status look-up: its notice, and the listed reasons of a rejection (the
		// officer's note stays as written).
		ansinh.MsgLookupExpired:                    "លទ្ធផលនៃការពិនិត្យមើល អាចមើលបានតែក្នុងរយៈពេលប៉ុន្មាននាទីប៉ុណ្ណោះ នៅលើទូរស័ព្ទដែលបានពិនិត្យមើល។ សូមបញ្ចូលលេខ CCCD និងថ្ងៃខែឆ្នាំកំណើតម្តងទៀត។",
		ansinh.RejectReasons["holder_mismatch"]:    "ឈ្មោះម្ចាស់គណនីមិនត្រូវនឹងអ្នកទទួលប្រាក់ឧបត្ថម្ភ ឬអ្នកទទួលជំនួសទេ។ សូមពិនិត្យឈ្មោះដែលបោះពុម្ពលើកាត ឬក្នុងកម្មវិធីធនាគារ រួចចុះឈ្មោះម្តងទៀត។",
		ansinh.RejectReasons["account_invalid"]:    "លេខគណនីមិនត្រឹមត្រូវ ឬគណនីមិនអាចទទួលប្រាក់បាន។ សូមសួរធនាគារ រួចចុះឈ្មោះម្តងទៀត។",
		ansinh.RejectReasons["proxy_unauthorized"]: "មិនទាន់មានលិខិតប្រគល់សិទ្ធិទទួលជំនួសដែលត្រឹមត្រូវ។ សូមយកលិខិតប្រគល់សិទ្ធិដែលមានការបញ្ជាក់ ទៅគណៈកម្មាធិការប្រជាជនឃុំ។",
		ansinh.RejectReasons["identity"]:           "ព័ត៌មានអត្តសញ្ញាណមិនទាន់ត្រូវនឹងឯកសារ។ សូមយក CCCD ទៅគណៈកម្មាធិការប្រជាជនឃុំ ដើម្បីផ្ទៀងផ្ទាត់។",
		ansinh.RejectReasons["account_shared"]:     "គណនីនេះបានចុះឈ្មោះរួចហើយសម្រាប់អ្នកទទួលប្រាក់ឧបត្ថម្ភម្នាក់ផ្សេងទៀត។ ម្នាក់ៗត្រូវមានគណនីផ្ទាល់ខ្លួន ឬអ្នកទទួលជំនួសផ្ទាល់ខ្លួន។",
		ansinh.RejectReasons["other"]:              "មូលហេតុផ្សេងទៀត។",

		// The receipt's status.
		ansinh.StatusLabel(ansinh.StatusPending):    "កំពុងរង់ចាំឃុំពិនិត្យ",
		ansinh.StatusLabel(ansinh.StatusVerified):   "បានបញ្ជាក់ហើយ។ ប្រាក់ឧបត្ថម្ភនឹងត្រូវផ្ទេរចូលគណនីនេះ។",
		ansinh.StatusLabel(ansinh.StatusRejected):   "មិនទាន់ត្រូវបានទទួលយក",
		ansinh.StatusLabel(ansinh.StatusSuperseded): "ត្រូវបានជំនួសដោយការចុះឈ្មោះថ្មីជាងនេះ",
	})
}
